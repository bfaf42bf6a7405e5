import { Directive, Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, Unique, UpdateDateColumn } from 'typeorm';
import { Organization } from './organization.entity';
import { User } from './user.entity';

export enum MemberStatus {
  ACTIVE = 'active',
  SUSPENDED = 'suspended',
}
registerEnumType(MemberStatus, {
  name: 'MemberStatus',
  description: 'Whether a membership grants access.',
  valuesConfig: {
    ACTIVE: { description: 'The member can sign in to the organization.' },
    SUSPENDED: { description: 'The membership is kept but grants nothing until reactivated.' },
  },
});

@Entity({ name: 'organization_members' })
@Unique('organization_members_organization_user_key', ['organizationId', 'userId'])
@ObjectType('OrganizationMember', { description: "A user's membership of an organization." })
@Directive('@key(fields: "id")')
export class OrganizationMember {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  @Field(() => ID, { description: 'Membership id, `mem_…`.' })
  id: string;

  @Column({ name: 'organization_id', type: 'varchar', length: 64 })
  organizationId: string;

  @ManyToOne(() => Organization, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id' })
  organization?: Organization;

  @Index('organization_members_user_id_idx')
  @Column({ name: 'user_id', type: 'varchar', length: 64 })
  userId: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: User;

  @Column({ type: 'enum', enum: MemberStatus, enumName: 'member_status', default: MemberStatus.ACTIVE })
  @Field(() => MemberStatus)
  status: MemberStatus;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  @Field(() => Date, { name: 'joinedAt' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
