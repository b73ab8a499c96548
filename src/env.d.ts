/// <reference types="astro/client" />

/** SES's source checks (runner/executor/lab-code-rules.ts); the package ships no types for this entry. */
declare module 'ses/tools.js' {
  export const transforms: {
    /** Returns the source unchanged, or throws a SyntaxError naming the line of a possible import expression or HTML comment. */
    mandatoryTransforms(source: string): string;
  };
}
