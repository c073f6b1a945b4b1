/** Credentials for component tests: a fixed seed, and the values the components must derive from it. */
import * as pulumi from "@pulumi/pulumi";
import { Credentials, credentialLength, deriveText } from "../../lib/credentials";

export const TEST_SEED = "test-seed-for-component-tests-0123456789";

export const testCredentials = (rotations: Record<string, number> = {}) =>
  new Credentials(pulumi.secret(TEST_SEED), rotations);

/** The value `testCredentials(rotations).get(name)` holds. */
export const derived = (name: string, rotation = 0) =>
  deriveText(TEST_SEED, name, rotation, credentialLength(name));
