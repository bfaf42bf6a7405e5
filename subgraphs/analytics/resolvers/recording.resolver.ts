import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { RequiresPermission } from '../../../platform/access-directives';
import { requirePrincipal } from '../../../platform/context';
import type { AnalyticsContext } from '../context';
import { AddRecordingInput } from '../types/add-recording.input';
import { RecordingFilterInput } from '../types/recording-filter.input';
import { RecordingType, recordingTypeOf } from '../types/recording.type';

@Resolver()
export class RecordingResolver {
  @Mutation(() => RecordingType, {
    description:
      'Adds the recording of one of your calls (media servers call this once the audio is stored); the jobs transcribe and summarise it.',
  })
  @RequiresPermission('analytics', 'write')
  async addRecording(
    @Arg('input', () => AddRecordingInput) input: AddRecordingInput,
    @Ctx() context: AnalyticsContext,
  ): Promise<RecordingType> {
    return recordingTypeOf(await context.services.recordings.add(requirePrincipal(context), input));
  }

  @Query(() => RecordingType, {
    nullable: true,
    description: "One of your organization's recordings; null when there is none with this id.",
  })
  @RequiresPermission('analytics', 'read')
  async recording(@Arg('id', () => ID) id: string, @Ctx() context: AnalyticsContext): Promise<RecordingType | null> {
    const row = await context.services.recordings.find(requirePrincipal(context), id);
    return row ? recordingTypeOf(row) : null;
  }

  @Query(() => [RecordingType], { nullable: true, description: "Your organization's recordings, newest first (50, at most 100)." })
  @RequiresPermission('analytics', 'read')
  async recordings(
    @Arg('filter', () => RecordingFilterInput, { nullable: true }) filter: RecordingFilterInput | undefined,
    @Arg('first', () => Int, { nullable: true }) first: number | undefined,
    @Ctx() context: AnalyticsContext,
  ): Promise<RecordingType[]> {
    return (await context.services.recordings.list(requirePrincipal(context), filter ?? {}, first)).map(recordingTypeOf);
  }
}
