import * as labkitBus from '../../labkit/bus/index.ts';
import * as labkitClock from '../../labkit/clock/index.ts';
import * as labkitDb from '../../labkit/db/index.ts';
import * as labkitFaults from '../../labkit/faults/index.ts';
import * as labkitService from '../../labkit/service/index.ts';
import * as labkitTest from '../../labkit/test/index.ts';

/** What lab code and tests can import besides their own files, in every runtime. */
export const hostModules: Record<string, unknown> = {
  'labkit/test': labkitTest,
  'labkit/db': labkitDb,
  'labkit/faults': labkitFaults,
  'labkit/service': labkitService,
  'labkit/clock': labkitClock,
  'labkit/bus': labkitBus,
};
