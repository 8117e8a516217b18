import js from "@eslint/js";
import tseslint from "typescript-eslint";
import reactHooks from "eslint-plugin-react-hooks";

export default tseslint.config(
  {
    ignores: [
      "node_modules/**",
      "build/**",
      ".cache/**",
      "app/db/generated/**",
      "extensions/**/assets/*.min.js",
      "test/.artifacts/**",
      "bench/results/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["app/**/*.tsx"],
    plugins: { "react-hooks": reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-console": ["error", { allow: ["warn", "error"] }],
    },
  },
  {
    files: ["**/*.mjs", "**/*.js", "scripts/**", "bench/**", "bin/**", "app/cli/**", "test/**", "devkit/**", "extensions/**"],
    languageOptions: { globals: { process: "readonly", console: "readonly", window: "readonly", document: "readonly" } },
    rules: { "no-console": "off" },
  },
);
