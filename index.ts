import * as pulumi from "@pulumi/pulumi";
import { program } from "./program";

// Every config, capacity and quota check has passed once program() returns. Said on stdout, which the
// CLI shows even when the engine then stops at the cluster or the cloud (a log.info may not get out).
const outputs = program({
  // The stack's own outputs from its last deployment (undefined before the first).
  previousVolumeClaims: () =>
    new pulumi.StackReference(
      `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`,
    ).getOutput("volumeClaims"),
});
console.log(`botfleet: stack ${pulumi.getStack()}: config, capacity and quotas check out`);

// Stack outputs are the properties of the object the program returns.
export = outputs;
