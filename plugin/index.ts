/**
 * The plugin's program: serves the WebServer component, from ../components (the same source as
 * the npm package), to programs in every Pulumi language, under the type token
 * `webserver-sidecar:index:WebServer`, through WebServerProvider (Pulumi's ComponentProvider, its
 * schema refined: schemaRefinements.ts). Pulumi's Node.js plugin runner (`@pulumi/pulumi/cmd/run-plugin`)
 * runs it: from a stock CLI's language host, through PulumiPlugin.yaml, or from
 * webserver-sidecar/pulumi-resource-webserver-sidecar. Pulumi's component analyzer reads the arguments' types and
 * TSDoc from this file's imports: that is the schema (schema.json).
 */
// First: from here on, every import of an SDK, ../components' included, is of one copy.
import "./sdkResolution";
import { main } from "@pulumi/pulumi/provider";
import { WebServer } from "../components";
import { WebServerProvider } from "./webServerProvider";

// The name is fixed, not read from package.json: a team that publishes this package under its own
// scope (@team/webserver-sidecar) keeps the type token its programs and state hold.
// What componentProviderHost does for a plain ComponentProvider: serve it with the runner's arguments.
main(new WebServerProvider({ components: [WebServer], name: "webserver-sidecar", dirname: __dirname }), process.argv.slice(2)).catch((error: unknown) => {
    // The runner reports an unhandled rejection and exits non-zero; say what stopped the plugin.
    console.error(`webserver-sidecar plugin: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    process.exitCode = 1;
});
