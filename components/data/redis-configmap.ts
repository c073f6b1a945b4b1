/** The Redis ConfigMap: rendered configs and the container scripts. */
import type { RedisConfig } from "../../config/redis";
import { renderRedisConf, renderSentinelConf } from "./redis-conf";
import { MOUNTS, REDIS_NAMES, type RedisSpecArgs, meta } from "./redis-names";

import { readFiles } from "../specs/files";
import * as path from "path";
import * as k8s from "@pulumi/kubernetes";

import Input = k8s.types.input;

/** The shell scripts that run in the containers, read from `files/redis`. */
export function redisScripts(): Record<string, string> {
  return readFiles(path.join(__dirname, "..", "..", "files", "redis"), {
    names: ["entrypoint.sh", "probe.sh", "prestop.sh", "acl-reload.sh"],
  });
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

export function redisConfigMap(args: RedisSpecArgs, data: Record<string, string>): Input.core.v1.ConfigMap {
  return { metadata: meta(args, REDIS_NAMES.configMap), data };
}
