"""Draws how `pulumi up` grows with the number of WebServers in one stack (bench/results/deploy.json)."""

import json
import sys

import matplotlib

matplotlib.use("Agg")  # no display here
import matplotlib.pyplot as plt


def main(source, target):
    with open(source) as f:
        data = json.load(f)
    counts = [s["count"] for s in data["scale"]]
    figure, axis = plt.subplots(figsize=(7, 4.5))
    axis.plot(counts, [s["up"] for s in data["scale"]], marker="o", label="pulumi up (create to Ready)")
    axis.plot(counts, [s["destroy"] for s in data["scale"]], marker="s", label="pulumi destroy")
    axis.set_xlabel("WebServer instances in one stack")
    axis.set_ylabel("wall time (s)")
    axis.set_title("Deploy time against the local control plane")
    axis.grid(True, alpha=0.3)
    axis.legend()
    figure.tight_layout()
    figure.savefig(target, dpi=110)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
