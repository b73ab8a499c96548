/**
 * A lab's reference solution (its editable files), fetched only when a learner confirms
 * "Show solution", so the lab page itself never carries it. A class build has no such file.
 */
import type { APIRoute } from 'astro';
import { classBuild } from '../../../course/class-build.ts';
import { solutionFiles } from '../../../labs/bundle.ts';
import { listLabIds } from '../../../labs/list-labs.ts';
import { loadLab } from '../../../labs/load-lab.ts';

export function getStaticPaths() {
  if (classBuild().enabled) return [];
  return listLabIds().map((id) => ({ params: { id } }));
}

export const GET: APIRoute = ({ params }) => {
  const bundle = loadLab(params.id!);
  const body = { labId: bundle.manifest.id, labVersion: bundle.manifest.version, files: solutionFiles(bundle) };
  return new Response(JSON.stringify(body), { headers: { 'Content-Type': 'application/json' } });
};
