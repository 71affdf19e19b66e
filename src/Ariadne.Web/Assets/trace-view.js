// The trace waterfall. It draws only the rows in view, so a 100,000-span trace costs the same to
// scroll as a small one; collapsing and expanding recompute one array of visible rows.
// Everything from spans is set as textContent, never as HTML.

const ROW_HEIGHT = 24;
const OVERSCAN = 12;
const PALETTE_SIZE = 12;
const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#b07aa1', '#76b7b2', '#edc948',
  '#ff9da7', '#9c755f', '#bab0ac', '#1f77b4', '#8cd17d', '#d37295'];

export async function mount(root, url, dotnet, selectedSpanId) {
  const view = new TraceView(root, dotnet);
  await view.load(url, selectedSpanId);
  return view;
}

export function formatMicros(us) {
  const abs = Math.abs(us);
  if (abs === 0) return '0';
  if (abs >= 60e6) return (us / 60e6).toFixed(2) + ' min';
  if (abs >= 1e6) return (us / 1e6).toFixed(abs >= 10e6 ? 1 : 2) + ' s';
  if (abs >= 1e3) return (us / 1e3).toFixed(abs >= 100e3 ? 0 : abs >= 10e3 ? 1 : 2) + ' ms';
  return us.toFixed(abs >= 100 ? 0 : 1) + ' µs';
}

class TraceView {
  constructor(root, dotnet) {
    this.root = root;
    this.dotnet = dotnet;
    this.rows = root.querySelector('#rows');
    this.ruler = root.querySelector('#ruler');
    this.minimap = document.getElementById('minimap');
    this.searchBox = document.getElementById('trace-search');
    this.searchCount = document.getElementById('trace-search-count');
    this.onlyMatches = document.getElementById('filter-matches');
    this.criticalOnly = document.getElementById('critical-only');
    this.cursor = -1;
    this.selected = -1;
    this.matches = [];
    this.matchIndex = -1;
    this.isMatch = null;
    this.pool = new Map();
    this.listeners = [];
  }

  async load(url, selectedSpanId) {
    const started = performance.now();
    const response = await fetch(url, { credentials: 'same-origin' });
    if (!response.ok) {
      this.rows.textContent = 'The trace could not be loaded (' + response.status + ').';
      return;
    }
    const d = await response.json();
    this.d = d;
    const n = d.count;
    this.n = n;
    this.total = Math.max(d.durationUs, 1e-3);
    this.names = d.name;
    this.lowerNames = null;

    // Pre-order: a span's subtree is the run of rows up to subtreeEnd.
    const end = new Int32Array(n);
    const stack = [];
    for (let i = 0; i < n; i++) {
      const p = d.parent[i];
      while (stack.length > 0 && stack[stack.length - 1] !== p) end[stack.pop()] = i;
      stack.push(i);
    }
    while (stack.length > 0) end[stack.pop()] = n;
    this.end = end;
    this.collapsed = new Uint8Array(n);
    this.shown = null;

    this.bind();
    this.drawRuler();
    this.rebuild();
    this.drawMinimap();

    let target = -1;
    if (selectedSpanId) {
      target = d.id.indexOf(selectedSpanId);
      if (target >= 0) {
        this.selected = target;
        this.reveal(target);
      }
    }
    this.render();
    this.root.dataset.renderMs = (performance.now() - started).toFixed(1);
    this.root.dataset.ready = '1';
  }

  on(element, event, handler) {
    if (!element) return;
    element.addEventListener(event, handler);
    this.listeners.push(() => element.removeEventListener(event, handler));
  }

  bind() {
    this.on(this.root, 'scroll', () => { this.render(); this.drawViewport(); });
    this.on(window, 'resize', () => { this.render(); this.drawMinimap(); });
    this.on(this.rows, 'click', e => this.onRowClick(e));
    this.on(this.root, 'keydown', e => this.onKey(e));
    this.on(this.searchBox, 'input', () => this.search(this.searchBox.value));
    this.on(this.searchBox, 'keydown', e => {
      if (e.key === 'Enter') { e.preventDefault(); this.nextMatch(e.shiftKey ? -1 : 1); }
      if (e.key === 'Escape') { this.searchBox.value = ''; this.search(''); this.root.focus(); }
    });
    this.on(document.getElementById('search-next'), 'click', () => this.nextMatch(1));
    this.on(document.getElementById('search-prev'), 'click', () => this.nextMatch(-1));
    this.on(this.onlyMatches, 'change', () => this.applyFilter());
    this.on(this.criticalOnly, 'change', () => this.applyFilter());
    this.on(document.getElementById('expand-all'), 'click', () => this.setAll(0));
    this.on(document.getElementById('collapse-all'), 'click', () => this.setAll(1));
    this.on(this.minimap, 'click', e => {
      const rect = this.minimap.getBoundingClientRect();
      const fraction = (e.clientY - rect.top) / rect.height;
      const row = Math.floor(fraction * this.visible.length);
      this.root.scrollTop = Math.max(0, row * ROW_HEIGHT - this.root.clientHeight / 2);
    });
    this.on(document, 'keydown', e => {
      if (e.key === '/' && document.activeElement !== this.searchBox && !isTyping(e.target)) {
        e.preventDefault();
        this.searchBox?.focus();
      }
    });
  }

  dispose() {
    for (const remove of this.listeners) remove();
    this.listeners = [];
    this.rows.textContent = '';
  }

  // Which rows are on screen: every span not inside a collapsed one and passing the filters.
  rebuild() {
    const started = performance.now();
    const n = this.n;
    const visible = new Int32Array(n);
    let count = 0;
    const shown = this.shown;
    for (let i = 0; i < n;) {
      if (shown !== null && !shown[i]) { i++; continue; }
      visible[count++] = i;
      i = this.collapsed[i] ? this.end[i] : i + 1;
    }
    this.visible = visible.subarray(0, count);
    this.position = new Int32Array(n).fill(-1);
    for (let k = 0; k < count; k++) this.position[this.visible[k]] = k;
    this.rows.style.height = (count * ROW_HEIGHT) + 'px';
    for (const element of this.pool.values()) element.remove();
    this.pool.clear();
    this.root.dataset.visibleRows = String(count);
    this.root.dataset.rebuildMs = (performance.now() - started).toFixed(1);
  }

  render() {
    const top = this.root.scrollTop;
    const height = this.root.clientHeight || 600;
    const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(this.visible.length, Math.ceil((top + height) / ROW_HEIGHT) + OVERSCAN);
    const wanted = new Set();
    for (let k = first; k < last; k++) {
      const i = this.visible[k];
      wanted.add(i);
      let element = this.pool.get(i);
      if (!element) {
        element = this.createRow(i);
        this.pool.set(i, element);
        this.rows.appendChild(element);
      }
      element.style.top = (k * ROW_HEIGHT) + 'px';
      this.decorate(element, i);
    }
    for (const [i, element] of this.pool) {
      if (!wanted.has(i)) { element.remove(); this.pool.delete(i); }
    }
  }

  createRow(i) {
    const d = this.d;
    const row = document.createElement('div');
    row.className = 'span-row';
    row.dataset.index = String(i);
    row.dataset.spanId = d.id[i];
    row.setAttribute('role', 'treeitem');

    const label = document.createElement('div');
    label.className = 'label';
    const indent = document.createElement('span');
    indent.className = 'indent';
    indent.style.width = (Math.min(d.depth[i], 40) * 12) + 'px';
    label.appendChild(indent);
    const toggle = document.createElement('button');
    toggle.type = 'button';
    toggle.className = 'toggle';
    toggle.tabIndex = -1;
    if (this.end[i] <= i + 1) toggle.classList.add('leaf');
    label.appendChild(toggle);
    const dot = document.createElement('span');
    dot.className = 'dot c' + (d.service[i] % PALETTE_SIZE);
    label.appendChild(dot);
    const service = document.createElement('span');
    service.className = 'svc';
    service.textContent = d.services[d.service[i]];
    label.appendChild(service);
    const name = document.createElement('span');
    name.className = 'name';
    name.textContent = d.name[i];
    label.appendChild(name);
    if (d.error[i]) {
      const mark = document.createElement('span');
      mark.className = 'error-mark';
      mark.title = 'status error';
      mark.textContent = '!';
      label.appendChild(mark);
    }
    row.appendChild(label);

    const lane = document.createElement('div');
    lane.className = 'lane';
    const bar = document.createElement('div');
    bar.className = 'bar c' + (d.service[i] % PALETTE_SIZE) + (d.error[i] ? ' error' : '') + (d.critical[i] ? ' critical' : '');
    const left = (d.start[i] / this.total) * 100;
    bar.style.left = left + '%';
    bar.style.width = Math.max((d.duration[i] / this.total) * 100, 0.15) + '%';
    lane.appendChild(bar);
    const duration = document.createElement('span');
    duration.className = 'duration';
    duration.textContent = formatMicros(d.duration[i]) + (d.self[i] < d.duration[i] ? ' · self ' + formatMicros(d.self[i]) : '');
    const right = left + Math.max((d.duration[i] / this.total) * 100, 0.15);
    if (right > 70 && left > 25) {
      // No room after a bar that ends near the right edge: the label goes before it,
      duration.classList.add('before');
      duration.style.right = (100 - left + 0.5) + '%';
    } else if (right > 70) {
      // or inside it when the bar spans nearly the whole trace.
      duration.classList.add('inside');
      duration.style.right = (100 - right + 0.5) + '%';
    } else {
      duration.style.left = Math.min(right + 0.5, 75) + '%';
    }
    lane.appendChild(duration);
    if (d.skew[i] !== 0) {
      const skew = document.createElement('span');
      skew.className = 'skew-mark';
      skew.title = 'moved ' + formatMicros(d.skew[i]) + ' to correct clock skew';
      skew.textContent = '⇆';
      lane.appendChild(skew);
    }
    row.appendChild(lane);
    return row;
  }

  decorate(element, i) {
    element.classList.toggle('selected', i === this.selected);
    element.classList.toggle('cursor', i === this.cursor);
    element.classList.toggle('match', this.isMatch !== null && this.isMatch[i] === 1);
    element.classList.toggle('current-match', this.matchIndex >= 0 && this.matches[this.matchIndex] === i);
    const toggle = element.querySelector('.toggle');
    if (this.end[i] > i + 1) {
      toggle.textContent = this.collapsed[i] ? '▸' : '▾';
      element.setAttribute('aria-expanded', this.collapsed[i] ? 'false' : 'true');
    }
  }

  onRowClick(e) {
    const row = e.target.closest('.span-row');
    if (!row) return;
    const i = Number(row.dataset.index);
    if (e.target.closest('.toggle')) {
      this.toggle(i);
      return;
    }
    this.cursor = i;
    this.select(this.d.id[i], true);
  }

  toggle(i) {
    if (this.end[i] <= i + 1) return;
    const started = performance.now();
    this.collapsed[i] = this.collapsed[i] ? 0 : 1;
    this.rebuild();
    this.render();
    this.drawViewport();
    this.root.dataset.toggleMs = (performance.now() - started).toFixed(1);
  }

  setAll(value) {
    const started = performance.now();
    for (let i = 0; i < this.n; i++) this.collapsed[i] = this.end[i] > i + 1 ? value : 0;
    this.rebuild();
    this.render();
    this.drawViewport();
    this.root.dataset.toggleMs = (performance.now() - started).toFixed(1);
  }

  // Called by the page (null clears) and by clicks (notify tells the page).
  select(spanId, notify) {
    this.selected = spanId ? this.d.id.indexOf(spanId) : -1;
    const url = new URL(window.location.href);
    if (this.selected >= 0) url.searchParams.set('span', spanId); else url.searchParams.delete('span');
    history.replaceState(history.state, '', url);
    this.render();
    if (notify) this.dotnet.invokeMethodAsync('SelectSpan', spanId);
  }

  reveal(i) {
    let changed = false;
    for (let p = this.d.parent[i]; p >= 0; p = this.d.parent[p]) {
      if (this.collapsed[p]) { this.collapsed[p] = 0; changed = true; }
    }
    if (changed || this.position[i] < 0) this.rebuild();
    const k = this.position[i];
    if (k < 0) return;
    const top = k * ROW_HEIGHT;
    if (top < this.root.scrollTop || top > this.root.scrollTop + this.root.clientHeight - ROW_HEIGHT * 2) {
      this.root.scrollTop = Math.max(0, top - this.root.clientHeight / 3);
    }
    this.render();
    this.drawViewport();
  }

  onKey(e) {
    if (isTyping(e.target)) return;
    const k = this.cursor >= 0 ? this.position[this.cursor] : -1;
    const move = delta => {
      const next = Math.min(this.visible.length - 1, Math.max(0, k + delta));
      if (next >= 0 && this.visible.length > 0) { this.cursor = this.visible[next]; this.reveal(this.cursor); }
    };
    switch (e.key) {
      case 'ArrowDown': case 'j': move(1); break;
      case 'ArrowUp': case 'k': move(-1); break;
      case 'PageDown': move(Math.floor(this.root.clientHeight / ROW_HEIGHT)); break;
      case 'PageUp': move(-Math.floor(this.root.clientHeight / ROW_HEIGHT)); break;
      case 'Home': move(-this.visible.length); break;
      case 'End': move(this.visible.length); break;
      case 'ArrowLeft': case 'h':
        if (this.cursor < 0) break;
        if (this.end[this.cursor] > this.cursor + 1 && !this.collapsed[this.cursor]) this.toggle(this.cursor);
        else if (this.d.parent[this.cursor] >= 0) { this.cursor = this.d.parent[this.cursor]; this.reveal(this.cursor); }
        break;
      case 'ArrowRight': case 'l':
        if (this.cursor < 0) break;
        if (this.collapsed[this.cursor]) this.toggle(this.cursor); else move(1);
        break;
      case 'Enter': case ' ':
        if (this.cursor >= 0) this.select(this.d.id[this.cursor], true);
        break;
      case 'Escape':
        this.select(null, true);
        break;
      default:
        return;
    }
    e.preventDefault();
  }

  search(text) {
    const q = text.trim().toLowerCase();
    const d = this.d;
    this.matches = [];
    this.matchIndex = -1;
    if (q.length === 0) {
      this.isMatch = null;
      this.searchCount.textContent = '';
    } else {
      if (this.lowerNames === null) {
        this.lowerNames = d.name.map(s => s.toLowerCase());
        this.lowerServices = d.services.map(s => s.toLowerCase());
      }
      this.isMatch = new Uint8Array(this.n);
      for (let i = 0; i < this.n; i++) {
        if (this.lowerNames[i].includes(q) || this.lowerServices[d.service[i]].includes(q) || d.id[i] === q) {
          this.isMatch[i] = 1;
          this.matches.push(i);
        }
      }
      this.searchCount.textContent = this.matches.length + (this.matches.length === 1 ? ' match' : ' matches');
    }
    this.root.dataset.matches = String(this.matches.length);
    if (this.onlyMatches?.checked) this.applyFilter(); else this.render();
  }

  nextMatch(direction) {
    if (this.matches.length === 0) return;
    this.matchIndex = (this.matchIndex + direction + this.matches.length) % this.matches.length;
    const i = this.matches[this.matchIndex];
    this.searchCount.textContent = (this.matchIndex + 1) + ' of ' + this.matches.length;
    this.cursor = i;
    this.reveal(i);
  }

  // "Only matches" and "critical path only" keep the chosen spans and their ancestors.
  applyFilter() {
    const onlyMatches = this.onlyMatches?.checked && this.isMatch !== null;
    const critical = this.criticalOnly?.checked;
    if (!onlyMatches && !critical) {
      this.shown = null;
    } else {
      const shown = new Uint8Array(this.n);
      for (let i = 0; i < this.n; i++) {
        const keep = (!onlyMatches || this.isMatch[i] === 1) && (!critical || this.d.critical[i] === 1);
        if (keep) {
          for (let p = i; p >= 0 && !shown[p]; p = this.d.parent[p]) shown[p] = 1;
        }
      }
      this.shown = shown;
    }
    this.rebuild();
    this.render();
    this.drawMinimap();
  }

  drawRuler() {
    this.ruler.textContent = '';
    for (let t = 0; t <= 4; t++) {
      const tick = document.createElement('span');
      tick.className = 'tick';
      tick.style.left = (t * 25) + '%';
      tick.textContent = formatMicros(this.total * t / 4);
      this.ruler.appendChild(tick);
    }
  }

  // The overview: every visible span as a short line, drawn once into a cached image.
  drawMinimap() {
    const canvas = this.minimap;
    if (!canvas) return;
    const ratio = window.devicePixelRatio || 1;
    const width = Math.max(1, Math.floor(canvas.clientWidth * ratio));
    const height = Math.max(1, Math.floor(canvas.clientHeight * ratio));
    const image = document.createElement('canvas');
    image.width = width;
    image.height = height;
    const g = image.getContext('2d');
    const d = this.d;
    const count = this.visible.length;
    const rowHeight = Math.max(height / Math.max(count, 1), 0.5);
    for (let k = 0; k < count; k++) {
      const i = this.visible[k];
      g.fillStyle = d.error[i] ? '#d62728' : PALETTE[d.service[i] % PALETTE_SIZE];
      g.fillRect((d.start[i] / this.total) * width, (k / Math.max(count, 1)) * height,
        Math.max(1, (d.duration[i] / this.total) * width), Math.max(1, rowHeight));
    }
    this.minimapImage = image;
    canvas.width = width;
    canvas.height = height;
    this.drawViewport();
  }

  drawViewport() {
    const canvas = this.minimap;
    if (!canvas || !this.minimapImage) return;
    const g = canvas.getContext('2d');
    g.clearRect(0, 0, canvas.width, canvas.height);
    g.drawImage(this.minimapImage, 0, 0);
    const total = Math.max(this.visible.length * ROW_HEIGHT, 1);
    const top = (this.root.scrollTop / total) * canvas.height;
    const height = Math.max(2, (this.root.clientHeight / total) * canvas.height);
    g.strokeStyle = '#888';
    g.lineWidth = 1;
    g.strokeRect(0.5, top + 0.5, canvas.width - 1, Math.min(height, canvas.height - 1));
  }
}

function isTyping(target) {
  return target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement;
}
