import { defineConfig } from "vite";

// `phoenix-wasm` is installed from ../pkg as a symlink (file:../pkg): the dev server must
// be allowed to read it (toolchain.md trap 8). `vite build` writes dist/, which the test
// server serves at / (scripts/demo.sh).
export default defineConfig({
  server: { fs: { allow: [".."] } },
  build: { target: "es2022", chunkSizeWarningLimit: 1024 },
});
