import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import { RequiresPermission } from '../../../platform/access-directives';
import type { ComplianceContext } from '../context';
import { callerOf } from '../services/caller';
import { ComplianceReportLinkType, ComplianceReportType, complianceReportTypeOf } from '../types/compliance-report.type';
import { ComplianceStandard } from '../types/retention-enums';

@Resolver()
export class ComplianceReportResolver {
  @Query(() => ComplianceReportType, {
    description:
      'Your organization against GDPR, HIPAA or SOC 2: data-subject requests, retention coverage, legal holds, the audit chain, MFA and SSO adoption, access reviews.',
  })
  @RequiresPermission('compliance', 'read')
  async complianceReport(
    @Arg('organizationId', () => ID) organizationId: string,
    @Arg('standard', () => ComplianceStandard) standard: ComplianceStandard,
    @Ctx() context: ComplianceContext,
  ): Promise<ComplianceReportType> {
    return complianceReportTypeOf(
      await context.services.reports.report(callerOf(context, 'Query.complianceReport'), organizationId, standard),
    );
  }

  @Query(() => ComplianceReportLinkType, {
    description: 'A signed, expiring link to the same report as a PDF, made when it is downloaded.',
  })
  @RequiresPermission('compliance', 'read')
  async complianceReportPdf(
    @Arg('organizationId', () => ID) organizationId: string,
    @Arg('standard', () => ComplianceStandard) standard: ComplianceStandard,
    @Ctx() context: ComplianceContext,
  ): Promise<ComplianceReportLinkType> {
    return context.services.reports.pdfLink(callerOf(context, 'Query.complianceReportPdf'), organizationId, standard);
  }
}
