import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { QualityBand } from '../services/call-quality-rules';

@ObjectType('Percentiles')
export class PercentilesType {
  @Field(() => Float, { nullable: true, description: 'Median; null with no calls.' })
  p50: number | null;

  @Field(() => Float, { nullable: true })
  p95: number | null;
}

@ObjectType('QualityBandCount')
export class QualityBandCount {
  @Field(() => QualityBand)
  band: QualityBand;

  @Field(() => Int)
  calls: number;
}

@ObjectType('CallQualityReport', { description: 'Quality of the ended calls started in a range: MOS (ITU-T G.107) and network figures.' })
export class CallQualityReportType {
  @Field(() => ID)
  organizationId: string;

  @Field(() => Date)
  from: Date;

  @Field(() => Date)
  to: Date;

  @Field(() => Int)
  calls: number;

  @Field(() => Int, { description: 'MOS below 3.5, round trip over 400 ms, jitter over 30 ms or loss over 3%.' })
  degradedCalls: number;

  @Field(() => Float, { nullable: true })
  averageMos: number | null;

  @Field(() => PercentilesType)
  mos: PercentilesType;

  @Field(() => PercentilesType)
  rttMs: PercentilesType;

  @Field(() => PercentilesType)
  jitterMs: PercentilesType;

  @Field(() => PercentilesType)
  packetLossPercent: PercentilesType;

  @Field(() => [QualityBandCount], { description: 'Calls per G.109 band, best first.' })
  bands: QualityBandCount[];
}
