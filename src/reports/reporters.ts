/**
 * Every report format, in the order the grade command's usage text lists them. The command's
 * --reporter option, its help and its checks all read this list, so a new format is one new
 * module exporting a Reporter plus one line here.
 */
import { classroomReporter } from './classroom.ts';
import { githubReporter } from './github.ts';
import { jsonReporter } from './json.ts';
import { junitReporter } from './junit.ts';
import { prettyReporter } from './pretty.ts';
import type { Reporter } from './reporter.ts';

export const REPORTERS: readonly Reporter[] = [prettyReporter, jsonReporter, junitReporter, githubReporter, classroomReporter];
