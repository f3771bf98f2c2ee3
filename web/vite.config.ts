import { defineConfig, type Plugin } from 'vite';

// The entry script is small (src/main.ts: it sends the opening page's requests); the application
// is a chunk of its own (src/start.ts, imported by the entry), which the page also loads as a
// module script of its own: its download starts with the page's, not once the entry has run,
// and the page's load event waits for it as it did when there was one script.
function loadApplication(): Plugin {
  return {
    name: 'emkhana-load-application',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(_html, context) {
        const chunk = Object.values(context.bundle ?? {}).find((item) => item.type === 'chunk' && item.name === 'start');
        return chunk ? [{ tag: 'script', attrs: { type: 'module', crossorigin: true, src: `/${chunk.fileName}` }, injectTo: 'head' }] : [];
      },
    },
  };
}

// During `npm run dev` the API is proxied to a running `emkhana serve` (EMKHANA_API, default :8080).
export default defineConfig({
  base: '/',
  plugins: [loadApplication()],
  build: { target: 'es2022', sourcemap: false, chunkSizeWarningLimit: 400 },
  server: {
    proxy: { '/api': process.env.EMKHANA_API ?? 'http://127.0.0.1:8080' },
  },
  preview: {
    proxy: { '/api': process.env.EMKHANA_API ?? 'http://127.0.0.1:8080' },
  },
});
