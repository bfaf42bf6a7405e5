import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { CallRecord } from '../entities/call-record.entity';
import { QualityBand } from '../services/call-quality-rules';
import { Money, moneyOf } from './money.type';
import { PersonalData } from '../../../platform/personal-data/personal-data-directive';

registerEnumType(QualityBand, {
  name: 'QualityBand',
  description: 'ITU-T G.109 categories of the R rating: BEST ≥ 90, HIGH ≥ 80, MEDIUM ≥ 70, LOW ≥ 60, POOR ≥ 50, UNACCEPTABLE below.',
});

@ObjectType('CallQualityScore', {
  description: 'A call’s quality by the ITU-T G.107 E-model, from its round trip, jitter, loss and codec.',
})
export class CallQualityScore {
  @Field(() => Float, { description: 'Transmission rating R, 0–100.' })
  rFactor: number;

  @Field(() => Float, { description: 'Mean opinion score, 1–4.5 (G.107 Annex B).' })
  mos: number;

  @Field(() => QualityBand)
  band: QualityBand;

  @Field(() => Boolean, { description: 'MOS below 3.5, round trip over 400 ms, jitter over 30 ms or loss over 3%.' })
  degraded: boolean;
}

@ObjectType('CallRecord', { description: 'One call as the media server reported it.' })
export class CallRecordType {
  @Field(() => ID, { description: "The media server's id of the call, unique in the organization." })
  callId: string;

  @Field(() => ID)
  organizationId: string;

  @PersonalData('communications')
  @Field(() => [String], { description: 'Who took part (user ids or the media server’s ids).' })
  participants: string[];

  @Field(() => String)
  codec: string;

  @Field(() => Date)
  startedAt: Date;

  @Field(() => Date, { nullable: true, description: 'Null while the call is in progress.' })
  endedAt: Date | null;

  @Field(() => Int, { nullable: true, description: 'Whole minutes billed (the duration rounded up); null in progress.' })
  billedMinutes: number | null;

  @Field(() => Float, { nullable: true })
  rttMs: number | null;

  @Field(() => Float, { nullable: true })
  jitterMs: number | null;

  @Field(() => Float, { nullable: true })
  packetLossPercent: number | null;

  @Field(() => Int, { nullable: true, description: 'Seconds in which anyone spoke, when measured.' })
  speakingSeconds: number | null;

  @Field(() => Money, { nullable: true, description: 'What carrying the call cost, as reported.' })
  cost: Money | null;

  @Field(() => CallQualityScore, { nullable: true, description: 'Null while the call is in progress.' })
  quality: CallQualityScore | null;
}

export function callRecordTypeOf(row: CallRecord): CallRecordType {
  return {
    callId: row.callId,
    organizationId: row.organizationId,
    participants: row.participants,
    codec: row.codec,
    startedAt: row.startedAt,
    endedAt: row.endedAt,
    billedMinutes: row.billedMinutes,
    rttMs: row.rttMs,
    jitterMs: row.jitterMs,
    packetLossPercent: row.packetLossPercent,
    speakingSeconds: row.speakingSeconds,
    cost: row.costMicros == null ? null : moneyOf(row.costMicros),
    quality:
      row.mos == null ? null : { rFactor: row.rFactor!, mos: row.mos, band: row.quality as QualityBand, degraded: row.degraded ?? false },
  };
}
