// Validates custom resources against the JSON schemas of their CRDs, as shipped (compiled from the
// operators' released CRDs) in the @kubernetes-models packages: Strimzi 0.49 and Prometheus Operator.
// Input: a JSON array of Kubernetes objects on stdin. Output: one JSON result per object on stdout,
// {"kind", "name", "status": "valid" | "invalid" | "no-schema", "error"}. Exit code 0 unless the input
// cannot be read; the caller (tests/unit/deploy) decides what to accept.
import { readFileSync } from "node:fs";

const PACKAGES = {
  "kafka.strimzi.io": "@kubernetes-models/strimzi-kafka-operator",
  "core.strimzi.io": "@kubernetes-models/strimzi-kafka-operator",
  "monitoring.coreos.com": "@kubernetes-models/prometheus-operator",
};

const objects = JSON.parse(readFileSync(0, "utf8"));
const results = [];
for (const object of objects) {
  const [group, version] = object.apiVersion.includes("/") ? object.apiVersion.split("/") : ["", object.apiVersion];
  const result = { kind: object.kind, name: object.metadata?.name ?? "", apiVersion: object.apiVersion };
  const pkg = PACKAGES[group];
  if (!pkg) {
    results.push({ ...result, status: "no-schema", error: `no CRD schema for group ${group || "core"}` });
    continue;
  }
  let model;
  try {
    model = (await import(`${pkg}/${group}/${version}/${object.kind}`))[object.kind];
  } catch (error) {
    results.push({ ...result, status: "no-schema", error: `no model ${group}/${version}/${object.kind}: ${error.message}` });
    continue;
  }
  try {
    new model(object).validate();
    results.push({ ...result, status: "valid" });
  } catch (error) {
    results.push({ ...result, status: "invalid", error: error.message });
  }
}
process.stdout.write(JSON.stringify(results));
