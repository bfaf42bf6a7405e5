import { Directive, Field, ID, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { PersonalData } from '../../../platform/personal-data/personal-data-directive';

@Entity({ name: 'users' })
@ObjectType('User', { description: 'A person who signs in to AuraLink. One user can be a member of several organizations.' })
@Directive('@key(fields: "id")')
export class User {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  @Field(() => ID, { description: 'User id, `user_…`.' })
  id: string;

  /** Stored lowercased, so one address is one user whatever its casing. */
  @Column({ type: 'varchar', length: 320, unique: true })
  @PersonalData('contact')
  @Field(() => String)
  email: string;

  @Column({ type: 'varchar', length: 200, nullable: true })
  @PersonalData('identity')
  @Field(() => String, { nullable: true, description: 'Display name.' })
  name: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  @Field(() => Date)
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
