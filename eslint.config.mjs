// The project's TypeScript rules (npm run lint). typescript-eslint's recommended set, plus what the
// house style (../shared/STYLE.md) asks of us; each rule we turn off or change says why.
import js from "@eslint/js";
import comments from "@eslint-community/eslint-plugin-eslint-comments/configs";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["node_modules/", "policy/node_modules/", "dist/", "bin/", "**/*.js", "**/*.mjs"] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    comments.recommended,
    {
        linterOptions: { reportUnusedDisableDirectives: "error" },
        rules: {
            // A disable comment says why it is there ("-- reason"), or it is not allowed.
            "@eslint-community/eslint-comments/require-description": ["error", { ignore: [] }],
            // `_` marks a parameter or binding that is there for its position, not its value.
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
            // Defaults come with ??, never || (STYLE.md, principle 3): 0, "" and false are real values.
            "no-restricted-syntax": ["error", {
                selector: "LogicalExpression[operator='||'][right.type=/Literal|ObjectExpression|ArrayExpression/]",
                message: "A default with || replaces 0, \"\" and false too: use ?? (STYLE.md, principle 3).",
            }],
            eqeqeq: ["error", "always"],
            "prefer-const": "error",
        },
    },
);
