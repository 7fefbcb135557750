import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// The Tauri shell loads ui/dist; `tauri dev` uses the dev server on 1420.
export default defineConfig({
  plugins: [svelte()],
  clearScreen: false,
  server: {
    port: 1420,
    strictPort: true,
    // locales/ lives beside ui/ and is shared with the Rust backend
    fs: { allow: ['..'] },
  },
  build: {
    target: 'safari15',
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 400,
  },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts'],
  },
});
