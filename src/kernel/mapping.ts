/**
 * A page becomes resident for its owner: onto the LRU in the way the host's reclaim orders
 * pages (`folio_add_lru`), and into the owner's RSS counters (`add_mm_counter`).
 */
import { FILE, type HostState, type ProcRt } from './state.js';

export function mapNew(s: HostState, p: ProcRt, page: number, list: number, nf: number): void {
  s.reclaim.add(p, page, list, nf);
  if (nf & FILE) p.rssFile++;
  else p.rssAnon++;
  const rss = p.rssAnon + p.rssFile;
  if (rss > p.peakRss) p.peakRss = rss;
}
