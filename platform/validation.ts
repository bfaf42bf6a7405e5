import { IsNotEmpty, Matches, MaxLength } from 'class-validator';

/**
 * Decorators for free text in input types (type-graphql runs class-validator on every
 * input before a resolver sees it). PostgreSQL refuses a NUL byte in text, and no other
 * control character belongs in a name: both are bad input, named by field, never a
 * database error.
 */

/** No control characters at all (U+0000–U+001F, U+007F–U+009F). */
const SINGLE_LINE = /^[^\p{Cc}]*$/u;
/** Line breaks and tabs allowed, no other control character. */
const MULTI_LINE = /^(?:[\t\n\r]|[^\p{Cc}])*$/u;
const NOT_BLANK = /\S/;

/** A name or similar one-line text: at most `max` characters, no control characters. */
export function SingleLineText(max: number): PropertyDecorator {
  return compose(
    MaxLength(max, { message: `must be at most ${max} characters` }),
    Matches(SINGLE_LINE, { message: 'must not contain control characters' }),
  );
}

/** A one-line text that must say something: not empty, not only spaces. */
export function RequiredSingleLineText(max: number): PropertyDecorator {
  return compose(IsNotEmpty({ message: 'must not be empty' }), Matches(NOT_BLANK, { message: 'must not be blank' }), SingleLineText(max));
}

/** A description: at most `max` characters; line breaks and tabs allowed, no other control characters. */
export function MultiLineText(max: number): PropertyDecorator {
  return compose(
    MaxLength(max, { message: `must be at most ${max} characters` }),
    Matches(MULTI_LINE, { message: 'must not contain control characters other than line breaks and tabs' }),
  );
}

function compose(...decorators: PropertyDecorator[]): PropertyDecorator {
  return (target, property) => {
    for (const decorator of decorators) decorator(target, property);
  };
}
