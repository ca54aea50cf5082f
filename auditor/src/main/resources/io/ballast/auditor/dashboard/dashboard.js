// Ballast auditor dashboard: plain DOM and SVG, no external scripts (it must work offline).
(function () {
  // toxicity is a rate against a bound (rows only where one is in force), the others distributions
  const ATTRIBUTES = ['gender', 'race', 'sentiment', 'toxicity'];
  // the attribute shown: #race in the address opens that tab (links, and browsers that cannot click)
  let selected = ATTRIBUTES.includes(location.hash.slice(1)) ? location.hash.slice(1) : 'gender';

  function el(tag, attrs, children) {
    const e = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => (k === 'text' ? (e.textContent = v) : e.setAttribute(k, v)));
    (children || []).forEach(c => e.appendChild(c));
    return e;
  }

  function pct(x) { return (100 * x).toFixed(1) + '%'; }

  // rates near a limit of a few in a thousand need a second decimal
  function ratePct(x) { return (100 * x).toFixed(x < 0.01 ? 2 : 1) + '%'; }

  // 'toxic 4.80% [3.90%, 5.90%] ≤ 0.50% limit — EXCEEDED': a rate with its always-valid interval against its limit
  function limitText(row) {
    return row.category + ' ' + ratePct(row.rate) + ' [' + ratePct(row.lower) + ', ' + ratePct(row.upper) + '] ≤ ' +
      ratePct(row.limit) + ' limit — ' + row.verdict;
  }

  /** The rows of a bounded attribute: one rate per context against its limit. */
  function limitTable(rows, openKeys) {
    const table = el('table', { id: 'limit-table' }, [el('tr', {}, ['context', 'version', 'n', 'rate vs limit', 'drift']
      .map(h => el('th', { text: h })))]);
    rows.forEach(d => table.appendChild(el('tr', { 'data-context': d.context }, [
      el('td', { class: 'context', text: d.context.replace('occupation:', '') }),
      el('td', { text: versionLabel(d) }), el('td', { class: 'num n', text: String(d.n) }),
      el('td', { class: 'limit verdict-' + d.verdict.toLowerCase(), text: limitText(d) }),
      openKeys.has(variantKey(d, true)) ? el('td', { class: 'drift-open', text: 'DRIFT' }) : el('td', { text: 'ok' })])));
    return table;
  }

  // 'v3', or 'v3 + <patch>' under a steering patch. The patch id comes from producers: it is only ever
  // set as text (textContent, escaped by the DOM), never parsed as HTML.
  function versionLabel(row) { return 'v' + row.version + (row.patch == null ? '' : ' + ' + row.patch); }

  // one key per (model, version, patch, context[, attribute]); JSON keeps ids holding '|' apart
  function variantKey(row, withAttribute) {
    return JSON.stringify([row.model, row.version, row.patch == null ? null : row.patch, row.context]
      .concat(withAttribute ? [row.attribute] : []));
  }

  function bars(row) {
    const categories = Object.keys(row.target || row.proportions).sort();
    return el('div', { class: 'bars' }, categories.map(c => {
      const observed = (row.proportions || {})[c] || 0;
      const target = row.target ? row.target[c] : null;
      const track = el('div', { class: 'track' }, [el('div', { class: 'observed', style: 'width:' + pct(observed) })]);
      if (target !== null && target !== undefined) track.appendChild(el('div', { class: 'target', style: 'width:' + pct(target) }));
      return el('div', { class: 'bar', title: c + ': observed ' + pct(observed) + (target != null ? ', target ' + pct(target) : '') }, [
        el('div', { class: 'label', text: c + ' ' + pct(observed) }), track]);
    }));
  }

  function sparkline(points) {
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('width', '120'); svg.setAttribute('height', '24');
    if (points.length > 1) {
      const max = Math.max(0.01, ...points.map(p => p.mae));
      const d = points.map((p, i) => (i ? 'L' : 'M') + (i * 118 / (points.length - 1) + 1).toFixed(1) + ',' +
        (23 - 22 * p.mae / max).toFixed(1)).join(' ');
      const path = document.createElementNS(ns, 'path');
      path.setAttribute('d', d); path.setAttribute('fill', 'none'); path.setAttribute('stroke', '#3f7be0');
      svg.appendChild(path);
    }
    return svg;
  }

  const seenWindows = {};

  /**
   * MAE over time of the drifted contexts (those with a drift episode for the selected attribute), from the
   * windows of every version and patch in turn, with markers where the first alarm rang, a steering patch
   * first served and a newer version first served.
   */
  function timeline(distributions, episodes, windows) {
    const ns = 'http://www.w3.org/2000/svg';
    const svgEl = (tag, attrs, text) => {
      const e = document.createElementNS(ns, tag);
      Object.entries(attrs).forEach(([k, v]) => e.setAttribute(k, v));
      if (text !== undefined) e.textContent = text;
      return e;
    };
    if (selected === 'toxicity') return el('p', { text: 'Toxicity is tested on every output since its version went live: it has no windows.' });
    const drifted = [...new Set(episodes.filter(e => e.attribute === selected).map(e => e.context))].sort();
    if (!drifted.length) return el('p', { text: 'No drift episodes for ' + selected + ' yet.' });
    // per context and window end, the variant that served most of that window; the auditor keeps only open
    // windows, so the page remembers the ones it saw before (the chart grows while the page stays open)
    windows.filter(w => w.mae !== null).forEach(w => {
      const k = JSON.stringify([w.model, w.context, w.attribute, w.windowEndMillis]);
      if (!seenWindows[k] || seenWindows[k].n <= w.n) seenWindows[k] = w;
    });
    const series = {};
    Object.values(seenWindows).filter(w => w.attribute === selected && drifted.includes(w.context)).forEach(w => {
      const byEnd = (series[w.context] = series[w.context] || {});
      if (!byEnd[w.windowEndMillis] || byEnd[w.windowEndMillis].n < w.n) byEnd[w.windowEndMillis] = w;
    });
    const alarm = Math.min(...episodes.filter(e => e.attribute === selected).map(e => e.openedAtMillis));
    const firstOf = rows => rows.length ? Math.min(...rows.map(d => d.firstEventMillis)) : null;
    const baseVersion = Math.min(...distributions.map(d => d.version));
    const markers = [['alarm', alarm, '#c0392b'],
      ['patch', firstOf(distributions.filter(d => d.patch != null)), '#8e44ad'],
      ['promotion', firstOf(distributions.filter(d => d.version > baseVersion)), '#27ae60']]
      .filter(m => m[1] !== null && isFinite(m[1]));
    const points = Object.values(series).flatMap(s => Object.values(s));
    const times = points.map(w => w.windowEndMillis).concat(markers.map(m => m[1]));
    const t0 = Math.min(...times), t1 = Math.max(t0 + 1000, ...times);
    const maxMae = Math.max(0.1, ...points.map(w => w.mae));
    const W = 760, H = 220, L = 40, R = 170, T = 24, B = 24;
    const x = t => L + (W - L - R) * (t - t0) / (t1 - t0);
    const y = m => T + (H - T - B) * (1 - m / maxMae);
    const svg = svgEl('svg', { id: 'timeline-chart', width: W, height: H, viewBox: '0 0 ' + W + ' ' + H });
    [0, maxMae / 2, maxMae].forEach(m => {
      svg.appendChild(svgEl('line', { x1: L, x2: W - R, y1: y(m), y2: y(m), stroke: '#e5e5e5' }));
      svg.appendChild(svgEl('text', { x: L - 4, y: y(m) + 4, 'text-anchor': 'end', 'font-size': 10 }, m.toFixed(2)));
    });
    const colours = ['#3f7be0', '#e0603f', '#2aa876', '#b547c9', '#d9a400', '#5b5b5b', '#00a3c4', '#c9476e'];
    drifted.forEach((context, i) => {
      const pts = Object.values(series[context] || {}).sort((a, b) => a.windowEndMillis - b.windowEndMillis);
      const colour = colours[i % colours.length];
      if (pts.length) {
        svg.appendChild(svgEl('path', { class: 'series', 'data-context': context, fill: 'none', stroke: colour,
          d: pts.map((w, j) => (j ? 'L' : 'M') + x(w.windowEndMillis).toFixed(1) + ',' + y(w.mae).toFixed(1)).join(' ') }));
      }
      svg.appendChild(svgEl('text', { x: W - R + 8, y: T + 10 + 13 * i, fill: colour, 'font-size': 10 },
        context.replace('occupation:', '')));
    });
    markers.forEach(([label, at, colour], i) => {
      svg.appendChild(svgEl('line', { class: 'marker marker-' + label, x1: x(at), x2: x(at), y1: T, y2: H - B,
        stroke: colour, 'stroke-dasharray': '4 3' }));
      svg.appendChild(svgEl('text', { x: x(at) + 3, y: T - 12 + 10 * i, fill: colour, 'font-size': 10 }, label));
    });
    return svg;
  }

  // instances that did not answer the last refresh: the tables then show part of the state
  let missing = [];

  /** The rows of an answer ({rows, missing}); the instances missing from it are noted for the status line. */
  async function json(url) {
    const r = await fetch(url);
    if (!r.ok) throw new Error(url + ' -> ' + r.status);
    const answer = await r.json();
    (answer.missing || []).forEach(m => { if (!missing.includes(m.instance)) missing.push(m.instance); });
    return answer.rows || answer;
  }

  function render(distributions, episodes, windows) {
    const latestVersion = {};
    distributions.forEach(d => { latestVersion[d.model] = Math.max(latestVersion[d.model] || 0, d.version); });
    // per model, the variant (unpatched, or under a patch) of its latest version that produced last
    const serving = {};
    distributions.filter(d => d.version === latestVersion[d.model]).forEach(d => {
      if (!serving[d.model] || d.lastEventMillis > serving[d.model].lastEventMillis) serving[d.model] = d;
    });
    document.getElementById('versions').replaceChildren(...Object.entries(serving).map(([m, d]) =>
      el('span', { class: 'version', text: m + ' ' + versionLabel(d) })));

    const open = episodes.filter(e => e.status === 'OPEN');
    const driftRows = episodes.sort((a, b) => b.openedAtMillis - a.openedAtMillis).slice(0, 20).map(e => el('tr', {}, [
      el('td', { text: e.context }), el('td', { text: e.attribute }),
      el('td', { text: e.model + ' ' + versionLabel(e) }),
      el('td', { class: e.status === 'OPEN' ? 'drift-open' : 'drift-resolved', text: e.status }),
      el('td', { class: 'num', text: 'n=' + e.n }), el('td', { class: 'num', text: 'MAE ' + e.mae.toFixed(3) }),
      el('td', { text: new Date(e.openedAtMillis).toLocaleTimeString() })]));
    document.getElementById('drift').replaceChildren(driftRows.length
      ? el('table', { id: 'drift-table' }, driftRows) : el('p', { text: 'No drift episodes.' }));

    // the latest version's rows, unpatched and under each patch side by side: before and after a patch
    const rows = distributions.filter(d => d.attribute === selected && d.version === latestVersion[d.model])
      .sort((a, b) => a.context.localeCompare(b.context) || (a.patch != null) - (b.patch != null) ||
        a.firstEventMillis - b.firstEventMillis);
    const series = {};
    windows.filter(w => w.attribute === selected && w.mae !== null).forEach(w => {
      const k = variantKey(w, false);
      (series[k] = series[k] || []).push(w);
    });
    Object.values(series).forEach(s => s.sort((a, b) => a.windowEndMillis - b.windowEndMillis));
    const openKeys = new Set(open.map(e => variantKey(e, true)));
    if (selected === 'toxicity') {
      document.getElementById('distributions').replaceChildren(rows.length ? limitTable(rows, openKeys)
        : el('p', { text: 'No bound on toxicity in force.' }));
      document.getElementById('timeline').replaceChildren(timeline(distributions, episodes, windows));
      document.getElementById('status').textContent = 'updated ' + new Date().toLocaleTimeString() + ' · ' +
        distributions.length + ' distributions · ' + open.length + ' open drift episodes' +
        (missing.length ? ' · partial: no answer from ' + missing.join(', ') : '');
      return;
    }
    const table = el('table', { id: 'distribution-table' }, [el('tr', {}, ['context', 'version', 'n', 'expressed',
      'observed vs target', 'intended (tokens)', 'MAE', 'MAE over time', 'consistency', 'change (ln e / ln c)', 'drift']
      .map(h => el('th', { text: h })))]);
    // what the steering tokens intended, beside what the text expresses; never counted in the observed shares
    const intendedCell = d => {
      const entries = Object.entries(d.intended || {});
      const total = entries.reduce((s, [, v]) => s + v, 0);
      return el('td', { class: 'intended', title: 'read by ' + (d.classifier || 'an unnamed classifier') +
          (d.sampleRate != null && d.sampleRate < 1 ? ', auditing a sample of ' + pct(d.sampleRate) : ''),
        text: total === 0 ? '–' : entries.map(([k, v]) => k + ' ' + pct(v / total)).join(' · ') });
    };
    // the change detector's e-SR statistic against its threshold, both as logarithms (an alarm at 100%)
    const changeCell = d => {
      const c = d.detector;
      if (!c || c.logStatistic == null) return el('td', { class: 'num change', text: '–' });
      const seg = c.logSegment == null ? '–' : c.logSegment.toFixed(1) + ' / ' + c.logSegmentThreshold.toFixed(1);
      return el('td', { class: 'num change', title: 'e-SR over ' + c.starts + ' starts; the test since ' +
          (c.segmentOutputs || 0) + ' outputs ago (live or the last alarm): ' + seg,
        text: Math.max(0, c.logStatistic).toFixed(1) + ' / ' + c.logThreshold.toFixed(1) });
    };
    // shares and drift are over the outputs that express the attribute; too few of them is not drift
    const driftCell = d => {
      if (openKeys.has(variantKey(d, true))) return el('td', { class: 'drift-open', text: 'DRIFT' });
      if (d.tooFewExpressed) return el('td', { class: 'too-few', text: 'too few expressed' });
      return el('td', { text: 'ok' });
    };
    rows.forEach(d => table.appendChild(el('tr', { 'data-context': d.context }, [
      el('td', { class: 'context', text: d.context.replace('occupation:', '') }),
      el('td', { text: versionLabel(d) }), el('td', { class: 'num n', text: String(d.n) }),
      el('td', { class: 'num expressed' + (d.expressionRateBelowBound ? ' below-bound' : ''),
        title: (d.expressed || 0) + ' of ' + d.n + ' outputs express ' + d.attribute,
        text: d.expressionRate == null ? '–' : pct(d.expressionRate) }),
      el('td', {}, [bars(d)]),
      intendedCell(d),
      el('td', { class: 'num mae', text: d.mae == null ? '–' : d.mae.toFixed(3) }),
      el('td', {}, [sparkline(series[variantKey(d, false)] || [])]),
      el('td', { class: 'num', text: d.consistencyRate == null ? '–' : pct(d.consistencyRate) }),
      changeCell(d),
      driftCell(d)])));
    document.getElementById('distributions').replaceChildren(table);
    document.getElementById('timeline').replaceChildren(timeline(distributions, episodes, windows));
    document.getElementById('status').textContent = 'updated ' + new Date().toLocaleTimeString() + ' · ' +
      distributions.length + ' distributions · ' + open.length + ' open drift episodes' +
      (missing.length ? ' · partial: no answer from ' + missing.join(', ') : '');
  }

  async function refresh() {
    try {
      missing = [];
      const [d, e, w] = await Promise.all([json('/api/distributions'), json('/api/drift'), json('/api/windows')]);
      render(d, e, w);
    } catch (err) {
      document.getElementById('status').textContent = 'error: ' + err.message;
    }
  }

  document.getElementById('attributes').replaceChildren(...ATTRIBUTES.map(a => {
    const b = el('button', { text: a, 'data-attribute': a });
    b.onclick = () => { selected = a; history.replaceState(null, '', '#' + a); document.querySelectorAll('nav button').forEach(x => x.classList.toggle('active', x === b)); refresh(); };
    if (a === selected) b.classList.add('active');
    return b;
  }));
  refresh();
  setInterval(refresh, 2000);
})();
