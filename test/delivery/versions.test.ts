/**
 * Every pinned version the repository ships is one its publisher released: the chart version is in the list of
 * releases checked at their source (config/monitoring.ts), every image in the stack files and the program's
 * defaults is pinned by tag or digest to a real publisher (no example registry), and every image line in a
 * shipped stack file says where its tag was checked.
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { DEFAULT_MQTT_IMAGE } from "../../components/bots/mqtt";
import { parseStackConfig } from "../../config";
import { isPinnedImage } from "../../config/common";
import { KPS_CHART_VERSION, KPS_VERIFIED_RELEASES } from "../../config/monitoring";
import * as postgres from "../../config/postgres";
import * as redis from "../../config/redis";
import { loadStack, readStackFile } from "../../lib/stackfile";
import { placeholderReason, registryOf, repositoryOf } from "../support/images";
import { REPO, STACKS } from "../support/stacks";

const EXAMPLES = path.join(REPO, "files", "bots", "examples");
const SHIPPED_FILES = [
  ...STACKS.map((s) => path.join(REPO, `Pulumi.${s}.yaml`)),
  ...fs.readdirSync(EXAMPLES).map((f) => path.join(EXAMPLES, f)),
];

const DEFAULT_IMAGES: Record<string, string> = {
  "redis.image": redis.DEFAULT_REDIS_IMAGE,
  "redis.exporterImage": redis.DEFAULT_EXPORTER_IMAGE,
  "postgres.image": postgres.DEFAULT_POSTGRES_IMAGE,
  "postgres.exporterImage": postgres.DEFAULT_EXPORTER_IMAGE,
  "postgres.backup.image": postgres.DEFAULT_BACKUP_IMAGE,
  "mqtt image": DEFAULT_MQTT_IMAGE,
};

const parsed = (stack: string) => parseStackConfig(loadStack(stack, readStackFile(REPO, stack)), stack);

/** Every image a stack deploys from its config: its bots, and its data layer (defaults or overrides). */
function stackImages(stack: string): Record<string, string> {
  const c = parsed(stack);
  return {
    ...Object.fromEntries(c.bots.map((b) => [`bots.${b.name}`, b.image])),
    "redis.image": c.redis.image,
    "redis.exporterImage": c.redis.exporterImage,
    "postgres.image": c.postgres.image,
    "postgres.exporterImage": c.postgres.exporterImage,
    "postgres.backup.image": c.postgres.backup.image,
  };
}

/** What is wrong with one image reference, or undefined. */
function imageProblem(image: string): string | undefined {
  if (!isPinnedImage(image)) return `${image} is not pinned to a tag or digest`;
  const placeholder = placeholderReason(image);
  return placeholder === undefined ? undefined : `${image}: ${placeholder}`;
}

describe("kube-prometheus-stack chart", () => {
  const verified = KPS_VERIFIED_RELEASES.map((r) => r.version as string);

  test("the default is a checked release, and each entry names its tag, commit and date", () => {
    expect(verified).toContain(KPS_CHART_VERSION);
    for (const r of KPS_VERIFIED_RELEASES) {
      expect(r.tag).toBe(`kube-prometheus-stack-${r.version}`);
      expect(r.commit).toMatch(/^[0-9a-f]{40}$/);
      expect(r.checked).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
  });

  test.each(STACKS)("stack %s runs a checked chart release", (stack) => {
    expect(verified).toContain(parsed(stack).monitoring.chartVersion);
  });

  test("prod pins the chart itself, so a new default reaches it only through a promotion", () => {
    const monitoring = readStackFile(REPO, "prod")["botfleet:monitoring"] as { chartVersion?: unknown };
    expect(monitoring.chartVersion).toBe(KPS_CHART_VERSION);
  });
});

describe("images", () => {
  test("the program's default images are pinned and from real publishers", () => {
    const problems = Object.entries(DEFAULT_IMAGES).flatMap(([k, image]) => {
      const p = imageProblem(image);
      return p === undefined ? [] : [`${k}: ${p}`];
    });
    expect(problems).toEqual([]);
  });

  test.each(STACKS)("every image stack %s deploys is pinned and from a real publisher", (stack) => {
    const problems = Object.entries(stackImages(stack)).flatMap(([k, image]) => {
      const p = imageProblem(image);
      return p === undefined ? [] : [`${k}: ${p}`];
    });
    expect(problems).toEqual([]);
  });

  test("the check catches what the stacks used to ship", () => {
    expect(imageProblem("ghcr.io/example/report:0.3.0")).toBe(
      'ghcr.io/example/report:0.3.0: organisation "example" on ghcr.io is a placeholder',
    );
    expect(imageProblem("registry.example.com/bots/hummingbot:1.0")).toBe(
      "registry.example.com/bots/hummingbot:1.0: registry registry.example.com is a reserved example name",
    );
    expect(imageProblem("redis")).toBe("redis is not pinned to a tag or digest");
    expect(imageProblem("freqtradeorg/freqtrade:latest")).toBe(
      "freqtradeorg/freqtrade:latest is not pinned to a tag or digest",
    );
    expect(imageProblem("ghcr.io/stefanprodan/podinfo:6.14.1")).toBeUndefined();
    expect([registryOf("redis:7.2.16"), repositoryOf("redis:7.2.16")]).toEqual([
      "docker.io",
      "library/redis",
    ]);
    expect(repositoryOf("ghcr.io/stefanprodan/podinfo:6.14.1@sha256:" + "0".repeat(64))).toBe(
      "stefanprodan/podinfo",
    );
  });

  test.each(SHIPPED_FILES.map((f) => path.relative(REPO, f)))(
    "every image line in %s says where its tag was checked",
    (file) => {
      const text = fs.readFileSync(path.join(REPO, file), "utf8");
      const lines = text.split("\n").filter((l) => /^\s*(- )?image:/.test(l));
      expect(lines.length).toBe(
        ((parse(text) as { config: { "botfleet:bots"?: unknown[] } }).config["botfleet:bots"] ?? []).length,
      );
      const unsourced = lines.filter((l) => !/ # .*\S.*checked \d{4}-\d{2}-\d{2}$/.test(l));
      expect(unsourced).toEqual([]);
    },
  );
});
