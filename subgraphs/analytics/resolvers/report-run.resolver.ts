import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { requirePrincipal } from '../../../platform/context';
import type { AnalyticsContext } from '../context';
import { ReportDownloadLinkType } from '../types/report-download-link.type';
import { ReportRunType } from '../types/report-run.type';

@Resolver(() => ReportRunType)
export class ReportRunResolver {
  @FieldResolver(() => ReportDownloadLinkType, { nullable: true, description: 'A signed link to the output, once the run has succeeded.' })
  download(@Root() run: ReportRunType, @Ctx() context: AnalyticsContext): ReportDownloadLinkType | null {
    return context.services.reports.downloadLink(requirePrincipal(context), run);
  }
}
