// Page-wide behaviour: the light/dark choice (remembered in this browser) and the "t" shortcut.
const root = document.documentElement;
const saved = localStorage.getItem('ariadne-theme');
if (saved === 'light' || saved === 'dark') root.dataset.theme = saved;

function toggleTheme() {
  const dark = root.dataset.theme ? root.dataset.theme === 'dark' : window.matchMedia('(prefers-color-scheme: dark)').matches;
  root.dataset.theme = dark ? 'light' : 'dark';
  localStorage.setItem('ariadne-theme', root.dataset.theme);
}

document.addEventListener('click', e => {
  if (e.target instanceof Element && e.target.closest('#theme-toggle')) toggleTheme();
});

document.addEventListener('keydown', e => {
  const t = e.target;
  const typing = t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement || t instanceof HTMLSelectElement;
  if (!typing && e.key === 't' && !e.ctrlKey && !e.metaKey && !e.altKey) toggleTheme();
});
