import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "./config";
import { program } from "./program";

// Every config, capacity and quota check has passed once program() returns. Said on stdout, which the
// CLI shows even when the engine then stops at the cluster or the cloud (a log.info may not get out).
const outputs = program({
  // The stack's own outputs from its last deployment (undefined before the first).
  previousVolumeClaims: () =>
    new pulumi.StackReference(
      `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`,
    ).getOutput("volumeClaims"),
  // A claim shrunk or moved to another class: stop before anything changes. An exception thrown this late
  // (inside an apply) costs the CLI's unhandled-error report about 40 s of CPU; a printed error and a
  // non-zero exit stop the preview at once (the CLI shows the text and fails the run).
  refuseVolumeClaims: (problems) => {
    console.error(new ConfigError(problems).message);
    process.exit(1);
  },
});
console.log(`botfleet: stack ${pulumi.getStack()}: config, capacity and quotas check out`);

// Stack outputs are the properties of the object the program returns.
export = outputs;
