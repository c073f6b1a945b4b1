/** The Redis ConfigMap: rendered configs and the container scripts, and the digest that rolls the pods. */
import type { RedisConfig } from "../../config/redis";
import { renderRedisConf, renderSentinelConf } from "./redis-conf";
import { MOUNTS, REDIS_NAMES, type RedisSpecArgs, meta } from "./redis-names";

import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as k8s from "@pulumi/kubernetes";

import Input = k8s.types.input;

/** The shell scripts that run in the containers, read from `files/redis`. */
export function redisScripts(): Record<string, string> {
  const dir = path.join(__dirname, "..", "..", "files", "redis");
  return {
    "entrypoint.sh": fs.readFileSync(path.join(dir, "entrypoint.sh"), "utf8"),
    "probe.sh": fs.readFileSync(path.join(dir, "probe.sh"), "utf8"),
    "prestop.sh": fs.readFileSync(path.join(dir, "prestop.sh"), "utf8"),
  };
}

/** ConfigMap data: rendered configs and scripts. No secret ever lands here. */
export function redisConfigMapData(config: RedisConfig): Record<string, string> {
  const data: Record<string, string> = {
    "redis.conf": renderRedisConf(config, { dir: MOUNTS.data }),
    ...redisScripts(),
  };
  if (config.ha) data["sentinel.conf"] = renderSentinelConf(config, { dir: MOUNTS.tmp });
  return data;
}

/** sha256 of the ConfigMap data: a pod template annotation, so a config change rolls the pods. */
export function checksum(data: Record<string, string>): string {
  const hash = crypto.createHash("sha256");
  for (const key of Object.keys(data).sort()) hash.update(`${key}\0${data[key]}\0`);
  return hash.digest("hex");
}

export function redisConfigMap(args: RedisSpecArgs, data: Record<string, string>): Input.core.v1.ConfigMap {
  return { metadata: meta(args, REDIS_NAMES.configMap), data };
}
