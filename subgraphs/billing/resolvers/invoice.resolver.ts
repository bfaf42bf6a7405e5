import { Arg, Args, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import { RequiresPermission } from '../../../platform/access-directives';
import { requirePrincipal } from '../../../platform/context';
import { PAGE_DESCRIPTION, PageArgs } from '../../../platform/limits/pagination';
import type { BillingContext } from '../context';
import { Invoice } from '../entities/invoice.entity';

@Resolver(() => Invoice)
export class InvoiceResolver {
  @Query(() => [Invoice], { nullable: true, description: `Your organization's invoices, newest period first. ${PAGE_DESCRIPTION}` })
  @RequiresPermission('billing', 'read')
  async invoices(
    @Arg('organizationId', () => ID) organizationId: string,
    @Args(() => PageArgs) pageArgs: PageArgs,
    @Ctx() context: BillingContext,
  ): Promise<Invoice[]> {
    return context.services.invoices.list(requirePrincipal(context), organizationId, pageArgs);
  }

  @Query(() => Invoice, { nullable: true, description: 'One of your organization’s invoices.' })
  @RequiresPermission('billing', 'read')
  async invoice(@Arg('id', () => ID) id: string, @Ctx() context: BillingContext): Promise<Invoice> {
    return context.services.invoices.get(requirePrincipal(context), id);
  }

  @Query(() => Invoice, {
    nullable: true,
    description:
      'The invoice of the current period as it will be issued at its end, from the usage and changes known now (status DRAFT, no id).',
  })
  @RequiresPermission('billing', 'read')
  async invoicePreview(@Arg('organizationId', () => ID) organizationId: string, @Ctx() context: BillingContext): Promise<Invoice> {
    return context.services.invoices.preview(requirePrincipal(context), organizationId);
  }

  @FieldResolver(() => String, { description: 'The invoice as a PDF document, base64-encoded.' })
  @RequiresPermission('billing', 'read')
  async pdfBase64(@Root() invoice: Invoice, @Ctx() context: BillingContext): Promise<string> {
    return (await context.services.invoices.pdf(invoice)).toString('base64');
  }
}
