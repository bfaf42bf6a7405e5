import { Directive, Field, ID, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

@Entity({ name: 'organizations' })
@ObjectType('Organization', { description: 'A customer of AuraLink: the unit that owns members, roles, billing and data.' })
@Directive('@key(fields: "id")')
export class Organization {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  @Field(() => ID, { description: 'Organization id, `org_…`.' })
  id: string;

  @Column({ type: 'varchar', length: 200 })
  @Field(() => String)
  name: string;

  @Column({ type: 'varchar', length: 63, unique: true })
  @Field(() => String, { description: 'URL-safe unique name: lowercase letters, digits and hyphens.' })
  slug: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  @Field(() => Date)
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  @Field(() => Date)
  updatedAt: Date;
}
