// ESLint flat config for tspy's TypeScript (kernel, bridge's TS face, set-up scripts, tests,
// benchmarks) and the notebook app (frontend/src, with React hooks rules). Layout is prettier's.
import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

export default defineConfig(
  {
    ignores: ["**/dist/", "**/node_modules/", "python-env/.venv/", "bridge/build/", "test-artifacts/"],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // A leading underscore marks a binding kept on purpose: `{ dropped: _d, ...rest }` to omit a field, unused callback parameters.
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", ignoreRestSiblings: true }],
    },
  },
  {
    // `py` is Python's dynamic face: attributes, call results and callbacks of a PyProxy are `any` by design (as Pyodide's);
    // the benchmarks drive untyped peers (node-calls-python, pythonia).
    files: ["bridge/lib/**/*.ts", "bench/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    // These load what exists only at run time by computed path: the built addon (.node), python-env/config.json, dist/ modules.
    files: ["bridge/lib/lifetime.ts", "bench/**/*.ts"],
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    // Ambient globals of TypeScript cells: a script file (an import would make it a module), and empty interfaces that the
    // generated Python declarations merge into.
    files: ["kernel/**/notebook-globals.d.ts"],
    rules: {
      "@typescript-eslint/triple-slash-reference": "off",
      "@typescript-eslint/no-empty-object-type": ["error", { allowInterfaces: "always" }],
    },
  },
  {
    files: ["frontend/src/**/*.{ts,tsx}"],
    extends: [reactHooks.configs.flat.recommended],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      // Effects here reset their state (setX(null)) when the kernel or comm they subscribe to changes or goes away: deliberate.
      "react-hooks/set-state-in-effect": "off",
    },
  },
);
