// Which replies the results page leaves out of its group figures: those
// with a quality flag (the "flagged 제외" switch) and those ticked off by
// hand in the quality table. The page's address keeps it, so a reload or a
// link shows the same selection:
//
//   results.html?id=3                      every reply
//   results.html?id=3&exclude=flagged      the flagged ones left out
//   results.html?id=3&exclude=4,7          replies 4 and 7 left out
//   results.html?id=3&exclude=flagged,4    both
//   …&anti=1                               the group's anti-CI
//
// The API takes exclude=flagged or a list of r_ids, not both: with both,
// the page sends the list (the flagged r_ids, which it knows from the
// quality table, and the hand-picked ones).

export class Selection {
  constructor(search = '') {
    const q = new URLSearchParams(search);
    const parts = (q.get('exclude') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    this.flagged = parts.includes('flagged');
    this.out = new Set(parts.filter((p) => /^\d+$/.test(p)).map(Number)); // by hand
    this.anti = q.get('anti') === '1';
  }

  // isOut tells whether the reply is left out; flaggedIds: the r_ids with
  // a quality flag.
  isOut(rid, flaggedIds) {
    return this.out.has(rid) || (this.flagged && flaggedIds.has(rid));
  }

  // api is the exclude parameter's value for the API ('' for none), or
  // null while it needs the flags (flaggedIds null) that are not known yet.
  api(flaggedIds) {
    const hand = [...this.out].sort((a, b) => a - b);
    if (!this.flagged) return hand.join(',');
    if (!hand.length) return 'flagged';
    if (!flaggedIds) return null;
    return [...new Set([...flaggedIds, ...hand])].sort((a, b) => a - b).join(',');
  }

  // handOnly is the API value without the flagged ones (a first quality
  // request, before the flags are known).
  handOnly() {
    return [...this.out].sort((a, b) => a - b).join(',');
  }

  // packs is the value for a comparison of two packs: only "flagged"
  // applies to both (a hand-picked r_id is one pack's).
  packs() {
    return this.flagged ? 'flagged' : '';
  }

  // search is the page's own query string for this selection.
  search(id) {
    const parts = [...(this.flagged ? ['flagged'] : []), ...[...this.out].sort((a, b) => a - b)];
    let s = `?id=${id}`;
    if (parts.length) s += `&exclude=${parts.join(',')}`;
    if (this.anti) s += '&anti=1';
    return s;
  }
}

// param is "&exclude=…" for a non-empty value, else nothing.
export const excludeParam = (v) => (v ? `&exclude=${v}` : '');
