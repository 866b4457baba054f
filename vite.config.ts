// Vite build of the web app: root src/web, output dist/web (served by the API server), dev proxy to the API.
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'
import react from '@vitejs/plugin-react'

const here = path.dirname(fileURLToPath(import.meta.url))
const api = 'http://127.0.0.1:3000'

export default defineConfig({
  root: path.join(here, 'src/web'),
  base: '/',
  publicDir: false,
  plugins: [react()],
  resolve: {
    alias: [
      // MapLibre looks for its worker next to its own module, which bundling moves; the map imports this URL instead.
      { find: /^maplibre-gl-worker-url/, replacement: path.join(here, 'node_modules/maplibre-gl/dist/maplibre-gl-worker.mjs') },
    ],
  },
  build: {
    outDir: path.join(here, 'dist/web'),
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 1200,
  },
  server: {
    proxy: {
      '/api': api,
      '/docs': api,
      '/metrics': api,
      '/open311': api,
    },
  },
})
