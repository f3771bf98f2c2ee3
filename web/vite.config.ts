import { defineConfig } from 'vite';

// During `npm run dev` the API is proxied to a running `emkhana serve` (EMKHANA_API, default :8080).
export default defineConfig({
  base: '/',
  build: { target: 'es2022', sourcemap: false, chunkSizeWarningLimit: 400 },
  server: {
    proxy: { '/api': process.env.EMKHANA_API ?? 'http://127.0.0.1:8080' },
  },
  preview: {
    proxy: { '/api': process.env.EMKHANA_API ?? 'http://127.0.0.1:8080' },
  },
});
