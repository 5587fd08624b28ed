"""Draws the shipping benchmark's latencies (bench/results/shipping.json) as a PNG: for each
sidecar, the share of lines shipped within a given time, at idle and under full load, over all
rounds (each result's samples are already pooled and thinned by bench/shipping.ts)."""

import json
import sys

import matplotlib

matplotlib.use("Agg")  # no display here
import matplotlib.pyplot as plt

COLORS = {"tutorial": "#d62728", "k8s-docs-tail": "#ff7f0e", "ours": "#2ca02c"}


def cumulative(values):
    ordered = sorted(values)
    n = len(ordered)
    return ordered, [100.0 * (i + 1) / n for i in range(n)]


def main(source, target):
    with open(source) as f:
        data = json.load(f)
    figure, axes = plt.subplots(1, 2, figsize=(12, 4.5), sharey=True)
    for axis, phase, title in ((axes[0], "idleLatencyMs", "idle (one request every 50 ms)"),
                               (axes[1], "loadLatencyMs", "full load (wrk, 32 connections)")):
        for result in data["results"]:
            name = result["variant"]
            if name not in COLORS or not result[phase]:
                continue
            xs, ys = cumulative([max(v, 0.5) for v in result[phase]])
            axis.plot(xs, ys, label=name, color=COLORS[name], linewidth=2)
        axis.set_xscale("log")
        axis.set_xlabel("latency from nginx's write to the sidecar's stdout (ms, log scale)")
        axis.set_title(title)
        axis.axvline(50 if phase == "idleLatencyMs" else 100, color="grey", linestyle=":", label="target p99")
        axis.grid(True, which="both", alpha=0.3)
        axis.legend(loc="lower right")
    axes[0].set_ylabel("% of access lines shipped within")
    options = data["options"]
    # Files from before the interleaved rounds have no "rounds": one run per sidecar.
    load = "%d rounds x %d s of full load" % (options.get("rounds", 1), options["seconds"])
    figure.suptitle("Log shipping latency (CDF, all rounds); lines never shipped are missing from the curves; " + load)
    figure.tight_layout()
    figure.savefig(target, dpi=110)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
