import type { DataSource, Repository } from 'typeorm';
import { Plan } from '../entities/plan.entity';

export class PlanService {
  private readonly plans: Repository<Plan>;

  constructor(dataSource: DataSource) {
    this.plans = dataSource.getRepository(Plan);
  }

  /** All plans, cheapest first. */
  async list(): Promise<Plan[]> {
    return this.plans.find({ order: { monthlyPriceCents: 'ASC' } });
  }
}
