import { houseRules } from "../../scripts/lint-workflows";

// Stacks as the shipped Pulumi.<stack>.yaml files declare them (checked against the files in workflows.test.ts).
const STACKS = new Map([
  ["dev", "digitalocean"],
  ["prod", "digitalocean"],
  ["dev-lke", "linode"],
  ["local", "existing"],
]);

const CHECKOUT = "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2";
const PULUMI = "pulumi/actions@8e5e406f4007fca908480587cb9893c07090f58d # v7.0.0";

/** A prod job that passes every rule; each test below breaks one thing in it. */
const GOOD_PROD = `name: good
on:
  workflow_dispatch:
permissions: {}
concurrency:
  group: pulumi-prod
  cancel-in-progress: false
jobs:
  up:
    runs-on: ubuntu-24.04
    environment: prod
    permissions:
      contents: read
    steps:
      - uses: ${CHECKOUT}
        with:
          persist-credentials: false
      - name: ref
        id: ref-check
        run: bash scripts/check-deploy-ref.sh
      - name: install
        run: npm ci
      - name: up
        uses: ${PULUMI}
        with:
          command: up
          stack-name: prod
        env:
          PULUMI_ACCESS_TOKEN: \${{ secrets.PULUMI_ACCESS_TOKEN_PROD }}
          DIGITALOCEAN_TOKEN: \${{ secrets.DIGITALOCEAN_TOKEN_PROD }}
`;

/** A pull-request preview of dev that passes every rule. */
const GOOD_PR = `name: good-pr
on:
  pull_request:
permissions: {}
jobs:
  preview:
    if: >-
      github.event.pull_request.head.repo.full_name == github.repository
      && github.event.pull_request.user.login != 'dependabot[bot]'
      && github.actor != 'dependabot[bot]'
      && github.event.pull_request.user.login != 'renovate[bot]'
      && github.actor != 'renovate[bot]'
    runs-on: ubuntu-24.04
    environment: dev-preview
    permissions:
      contents: read
    strategy:
      matrix:
        stack: [dev]
    steps:
      - name: preview
        uses: ${PULUMI}
        with:
          command: preview
          stack-name: \${{ matrix.stack }}
        env:
          PULUMI_ACCESS_TOKEN: \${{ secrets.PULUMI_ACCESS_TOKEN_DEV }}
          DIGITALOCEAN_TOKEN: \${{ secrets.DIGITALOCEAN_TOKEN_DEV }}
`;

const lint = (text: string) => houseRules("t.yml", text, STACKS);
const checks = (text: string) => [...new Set(lint(text).map((f) => f.check))].sort();

/** Replaces one exact piece of `base`, failing loudly if the piece is not there. */
function edit(base: string, from: string, to: string): string {
  if (!base.includes(from)) throw new Error(`fixture does not contain ${JSON.stringify(from)}`);
  return base.replace(from, to);
}

describe("credential lint rules", () => {
  test("the good fixtures pass", () => {
    expect(lint(GOOD_PROD)).toEqual([]);
    expect(lint(GOOD_PR)).toEqual([]);
  });

  test("secret-scope: a secret in workflow env, job env or `secrets: inherit` is refused", () => {
    const workflowEnv = edit(
      GOOD_PROD,
      "permissions: {}\n",
      "permissions: {}\nenv:\n  T: ${{ secrets.PULUMI_ACCESS_TOKEN_PROD }}\n",
    );
    expect(lint(workflowEnv)).toContainEqual(
      expect.objectContaining({
        check: "secret-scope",
        message: "env.T references a secret: pass secrets only in a step's env: or with:",
      }),
    );
    const jobEnv = edit(
      GOOD_PROD,
      "    environment: prod\n",
      "    environment: prod\n    env:\n      T: ${{ secrets.PULUMI_ACCESS_TOKEN_PROD }}\n",
    );
    expect(lint(jobEnv).map((f) => f.message)).toContain(
      "jobs.up.env.T references a secret: pass secrets only in a step's env: or with:",
    );
    const inherit = `${GOOD_PROD}  call:\n    uses: ./.github/workflows/checks.yml\n    permissions: {}\n    secrets: inherit\n`;
    expect(lint(inherit).map((f) => f.message)).toContain(
      "job call passes `secrets: inherit` (every secret): pass none, or name each one",
    );
  });

  test("secret-environment: a prod secret outside environment prod, a dev secret outside dev", () => {
    const noEnv = edit(GOOD_PROD, "    environment: prod\n", "");
    expect(
      lint(noEnv)
        .filter((f) => f.check === "secret-environment")
        .map((f) => f.message),
    ).toEqual([
      "job up references PULUMI_ACCESS_TOKEN_PROD but runs in environment (none): declare environment: prod",
      "job up references DIGITALOCEAN_TOKEN_PROD but runs in environment (none): declare environment: prod",
    ]);
    const devEnv = edit(GOOD_PROD, "environment: prod", "environment: dev");
    expect(checks(devEnv)).toEqual(["secret-environment"]);
    const devSecretInProd = edit(GOOD_PR, "environment: dev-preview", "environment: { name: prod }");
    expect(checks(devSecretInProd)).toEqual(["pull-request", "secret-environment"]);
  });

  test("secrets: an unsuffixed (repository-wide) deploy secret is refused", () => {
    const shared = edit(GOOD_PR, "secrets.PULUMI_ACCESS_TOKEN_DEV", "secrets.PULUMI_ACCESS_TOKEN");
    expect(checks(shared)).toEqual(["secrets"]);
  });

  test("pull-request: a PR job never gets prod credentials, a reusable workflow none", () => {
    const prodPreview = edit(
      edit(GOOD_PR, "environment: dev-preview", "environment: prod"),
      "stack: [dev]",
      "stack: [dev, prod]",
    )
      .replace("PULUMI_ACCESS_TOKEN_DEV", "PULUMI_ACCESS_TOKEN_PROD")
      .replace("DIGITALOCEAN_TOKEN_DEV", "DIGITALOCEAN_TOKEN_PROD");
    expect(lint(prodPreview)).toEqual([
      {
        file: "t.yml",
        check: "pull-request",
        message: "job preview runs for pull requests with prod credentials: preview dev only",
      },
    ]);
    const called = edit(GOOD_PR, "  pull_request:\n", "  workflow_call:\n");
    expect(checks(called)).toContain("pull-request");
  });

  test("dependabot: a PR job with secrets must exclude update bots, ANDed", () => {
    const noGuard = edit(GOOD_PR, "      && github.event.pull_request.user.login != 'renovate[bot]'\n", "");
    expect(lint(noGuard)).toEqual([
      expect.objectContaining({
        check: "dependabot",
        message:
          "job preview gives secrets to pull requests: its if: must AND (no ||) github.event.pull_request.user.login != 'renovate[bot]'",
      }),
    ]);
    const ored = edit(
      GOOD_PR,
      "      && github.actor != 'renovate[bot]'",
      "      || github.actor != 'renovate[bot]'",
    );
    expect(checks(ored)).toEqual(["dependabot"]);
  });

  test("cloud-token: a provider's token only reaches steps running Pulumi on that provider's stacks", () => {
    const linodeStack = edit(GOOD_PROD, "stack-name: prod", "stack-name: dev-lke");
    expect(lint(linodeStack).map((f) => f.message)).toEqual([
      'job up step "up" gets DIGITALOCEAN_TOKEN_PROD but runs Pulumi on dev-lke: only steps that run digitalocean stacks get it',
    ]);
    const mixedMatrix = edit(GOOD_PR, "stack: [dev]", "stack: [dev, dev-lke]");
    expect(checks(mixedMatrix)).toEqual(["cloud-token"]);
    const linodeToken = edit(GOOD_PR, "secrets.DIGITALOCEAN_TOKEN_DEV", "secrets.LINODE_TOKEN_DEV");
    expect(checks(linodeToken)).toEqual(["cloud-token"]);
    const shellStep = edit(
      GOOD_PROD,
      "      - name: install\n        run: npm ci\n",
      "      - name: status\n        run: kubectl get pods\n        env:\n          DIGITALOCEAN_TOKEN: ${{ secrets.DIGITALOCEAN_TOKEN_PROD }}\n",
    );
    expect(lint(shellStep).map((f) => f.message)).toEqual([
      'job up step "status" gets DIGITALOCEAN_TOKEN_PROD but runs Pulumi on no known stack: only steps that run digitalocean stacks get it',
    ]);
    // A run step naming its stack is fine: `pulumi ... --stack prod` with prod's token.
    const cliStep = edit(shellStep, "run: kubectl get pods", "run: pulumi refresh --yes --stack prod");
    expect(lint(cliStep)).toEqual([]);
  });

  test("install-scripts: `npm ci` with a secret in its env must pass --ignore-scripts", () => {
    const withSecret = edit(
      GOOD_PROD,
      "        run: npm ci\n",
      "        run: npm ci\n        env:\n          PULUMI_ACCESS_TOKEN: ${{ secrets.PULUMI_ACCESS_TOKEN_PROD }}\n",
    );
    expect(checks(withSecret)).toEqual(["install-scripts"]);
    expect(lint(edit(withSecret, "run: npm ci", "run: npm ci --ignore-scripts"))).toEqual([]);
  });

  test("ref-check: a job with deploy credentials runs the ref check before any of them", () => {
    const none = edit(GOOD_PROD, "        id: ref-check\n", "");
    expect(lint(none).map((f) => f.message)).toEqual([
      "job up holds deploy credentials: run { id: ref-check, run: bash scripts/check-deploy-ref.sh } before any step that gets one",
    ]);
    const late = edit(
      edit(
        GOOD_PROD,
        "      - name: ref\n        id: ref-check\n        run: bash scripts/check-deploy-ref.sh\n",
        "",
      ),
      "          DIGITALOCEAN_TOKEN: ${{ secrets.DIGITALOCEAN_TOKEN_PROD }}\n",
      "          DIGITALOCEAN_TOKEN: ${{ secrets.DIGITALOCEAN_TOKEN_PROD }}\n      - id: ref-check\n        run: bash scripts/check-deploy-ref.sh\n",
    );
    expect(checks(late)).toEqual(["ref-check"]);
  });

  test("pinning: a SHA pin needs its release tag in a comment", () => {
    const bare = edit(GOOD_PROD, " # v4.2.2", "");
    expect(lint(bare).map((f) => f.message)).toEqual([
      "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 needs its release tag in a comment after the SHA (# vX.Y.Z)",
    ]);
  });

  test("permissions: read-all is refused like write-all", () => {
    expect(
      checks(edit(GOOD_PROD, "    permissions:\n      contents: read\n", "    permissions: read-all\n")),
    ).toEqual(["permissions"]);
  });
});
