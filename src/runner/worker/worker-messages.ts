/** The first message a lab worker receives: where to get its engines, and which to warm up. */
export interface WorkerInit {
  type: 'init';
  /** URL of the dumped PGlite data directory (gzipped tar) the site serves. */
  pgSnapshotUrl: string;
  databases: ('pglite' | 'sqljs')[];
}
