/** The view model of reports/index.html: every run set found in an output folder, newest first. */
import { passesChecks } from '../analysis/checks.js';
import type { RunSetManifest } from '../result/types.js';
import { formatTimestamp } from './format.js';
import { RUN_REPORT_FILE, relativeHref, sweepFileName } from './paths.js';
import { type VerdictView, verdictView } from './view-model-run.js';

/** A run set and its folder relative to the index page. */
export interface IndexedRunSet {
  dir: string;
  manifest: RunSetManifest;
}

export interface IndexViewModel {
  pageTitle: string;
  sets: {
    generatedAt: string;
    summary: string;
    /** Set when the run set holds no variant, saying why (an empty shard). */
    empty?: string;
    scenarios: {
      name: string;
      sweepHref?: string;
      variantCount: number;
      variants: {
        id: string;
        href: string;
        verdict: VerdictView;
        rowClass: string;
      }[];
    }[];
  }[];
}

export function indexViewModel(sets: IndexedRunSet[]): IndexViewModel {
  const sorted = [...sets].sort(
    (a, b) => b.manifest.generatedAt.localeCompare(a.manifest.generatedAt) || a.dir.localeCompare(b.dir),
  );
  return {
    pageTitle: 'faultline reports',
    sets: sorted.map(({ dir, manifest }) => {
      const names = [...new Set(manifest.entries.map((e) => e.scenario))];
      const shard = manifest.shard;
      const empty =
        manifest.entries.length > 0
          ? undefined
          : shard
            ? `No variants: this is shard ${shard.index} of ${shard.count}, and the ${shard.sweepVariants} variant${shard.sweepVariants === 1 ? '' : 's'} of the sweep went to the other shards.`
            : 'No variants in this run set.';
      return {
        generatedAt: formatTimestamp(manifest.generatedAt),
        ...(empty === undefined ? {} : { empty }),
        summary: `${dir === '' || dir === '.' ? 'this folder' : dir} · ${manifest.entries.length} run${manifest.entries.length === 1 ? '' : 's'} · ${manifest.tool.name} ${manifest.tool.version}`,
        scenarios: names.map((name) => {
          const entries = manifest.entries.filter((e) => e.scenario === name);
          return {
            name,
            ...(entries.length > 1 ? { sweepHref: relativeHref('', within(dir, sweepFileName(name))) } : {}),
            variantCount: entries.length,
            variants: entries.map((e) => ({
              id: e.variantId,
              href: relativeHref('', within(dir, `${e.dir}/${RUN_REPORT_FILE}`)),
              verdict: verdictView(e.verdict, e.checks),
              rowClass: e.status === 'ok' && passesChecks(e.checks) && e.checks.length > 0 ? 'pass-all' : '',
            })),
          };
        }),
      };
    }),
  };
}

function within(dir: string, path: string): string {
  return dir === '' ? path : `${dir}/${path}`;
}
