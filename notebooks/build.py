"""Build the example notebooks from their cell sources and execute them.

The notebooks in this directory are generated: edit the cells here, then run::

    .venv/bin/python notebooks/build.py            # rebuild and execute all four
    .venv/bin/python notebooks/build.py 02         # only the notebooks whose name starts so

Each notebook is written with nbformat and executed top to bottom in a fresh kernel with
nbclient, so the outputs committed with it are real. Rebuild after changing the data, the
analyses or the matching: ``tests/test_notebooks.py`` re-executes every notebook and fails
when a committed output is stale.
"""

from __future__ import annotations

import os
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient

NBF: Any = nbformat  # nbformat has no type hints

HERE = Path(__file__).resolve().parent
CELL_TIMEOUT = 120
"""Seconds a single cell may run."""

Cell = tuple[str, str]


def md(text: str) -> Cell:
    """A markdown cell (the text is dedented)."""
    return ("markdown", textwrap.dedent(text).strip())


def code(text: str) -> Cell:
    """A code cell (the text is dedented)."""
    return ("code", textwrap.dedent(text).strip())


# -- 01 ------------------------------------------------------------------------------------


def crosswalk_explorer() -> list[Cell]:
    """Cells of 01-crosswalk-explorer: regimes, overlaps, relation heatmap, a neighbourhood."""
    return [
        md("""
            # Crosswalk explorer: how the CRA relates to ETSI EN 303 645 and NIST IR 8425

            **Purpose:** how much of the EU Cyber Resilience Act (CRA) do the consumer IoT
            baselines ETSI EN 303 645 and NIST IR 8425 already cover, and how?

            No product is needed: everything below comes from the catalogs and crosswalks that
            ship with regmap.

            Words used below. A **regime** is one source document at one version (the CRA, ETSI
            EN 303 645 V3.1.3, ...). Its requirements are **controls**, identified as
            `<regime>:<clause>` (`cra:annex-i.1.2.c` is Annex I, Part I, point (2)(c)); a control
            with children is a *group*. regmap reads every requirement as the set of
            **capabilities** (`cap:signed-updates`, ...) a product or its maker needs to meet it,
            and that is what lets it compare requirements of different regimes.
            """),
        code("""
            import textwrap

            import matplotlib.pyplot as plt
            import networkx as nx
            import numpy as np
            import pandas as pd
            from matplotlib.colors import BoundaryNorm, ListedColormap
            from matplotlib.lines import Line2D

            import regmap
            from regmap.graph import neighbourhood, to_networkx

            pd.set_option("display.width", 120)
            pd.set_option("display.max_colwidth", 80)

            kb = regmap.load()  # the shipped catalogs and crosswalks
            NAMES = {
                "cra": "CRA", "etsi-en-303-645": "ETSI EN 303 645", "nist-ir-8425": "NIST IR 8425"
            }
            """),
        md("""
            ## 1. The regimes regmap ships

            One row per regime: its document, version, publication date and how many
            requirements (controls that are not groups) its catalog holds.
            """),
        code("""
            regimes = pd.DataFrame(
                [
                    {
                        "id": r.id,
                        "document": textwrap.shorten(r.short_title, 45, placeholder="…"),
                        "version": r.version,
                        "published": r.published.isoformat(),
                        "jurisdiction": r.jurisdiction,
                        "kind": r.kind,
                        "requirements": sum(not c.is_group for c in kb.controls(r.id)),
                    }
                    for r in kb.regimes
                ]
            ).set_index("id")
            regimes
            """),
        md("""
            ## 2. One requirement up close

            Every control carries its citation (`ref`), a paraphrase (`statement`, regmap's own
            words, never pasted text), how binding it is (`obligation`) and the capabilities it
            demands (`kb.capability_set`).
            """),
        code("""
            control = kb.control("cra:annex-i.1.2.c")
            print(control.ref, "-", control.title)
            print("obligation:", control.obligation.value)
            print(textwrap.fill("statement: " + control.statement, width=100))
            print("\\ncapabilities it demands:")
            for cap in sorted(kb.capability_set(control.id)):
                print(f"  {cap:40} {kb.capability(cap).name}")
            """),
        md("""
            ## 3. The relation between two requirements

            Between two requirements A and B exactly one of five relations holds (NIST IR 8477's
            set, also used by OSCAL 1.2):

            | relation | meaning |
            |---|---|
            | equal | A and B demand the same |
            | subset of | A ⊂ B: meeting B meets A |
            | superset of | A ⊃ B: meeting A meets B |
            | intersects with | they share some obligations, each has its own |
            | not related to (disjoint) | nothing shared |

            `kb.relation(a, b)` gives the set of relations still possible: one when it is
            determined (always, when both requirements are decomposed into capabilities, as every
            shipped one is), several when the crosswalks only narrow it down.
            """),
        code("""
            pairs = [
                ("cra:annex-i.1.2.c", "etsi-en-303-645:5.3-4A"),
                ("cra:annex-i.1.2.c", "etsi-en-303-645:5.3"),
                ("cra:annex-i.1.2.c", "etsi-en-303-645:5.3-1"),
                ("cra:annex-i.1.2.c", "nist-ir-8425:software-update.1"),
                ("cra:annex-i.1.2.c", "etsi-en-303-645:5.1-1"),
            ]
            for a, b in pairs:
                relation = " or ".join(r.ir8477 for r in sorted(kb.relation(a, b)))
                print(f"{a}  {relation:>15}  {b:31} {kb.control(b).title}")
            """),
        md("""
            Read the second line as: meeting *all* of ETSI EN 303 645 clause 5.3 (a group) meets
            CRA Annex I, Part I, point (2)(c); the first says the CRA point asks for more than
            provision 5.3-4A alone.

            ## 4. How much of one regime does another cover?

            `regmap.overlap(kb, a, b)` judges every requirement of regime A against *all* of
            regime B: **full** when every capability it demands is demanded by some requirement
            of B, **partial** when some are, **none** when none are, **unknown** when nothing
            decides it. It works in both directions at once.
            """),
        code("""
            overlaps = {
                NAMES[other]: regmap.overlap(kb, "cra", other)
                for other in ("etsi-en-303-645", "nist-ir-8425")
            }
            rows = []
            for name, result in overlaps.items():
                rows.append({"requirements judged": f"CRA by {name}", **result.counts("a_by_b")})
                rows.append({"requirements judged": f"{name} by CRA", **result.counts("b_by_a")})
            counts = pd.DataFrame(rows).set_index("requirements judged")
            counts
            """),
        code("""
            COVERAGE_COLOURS = {
                "full": "#2a9d8f", "partial": "#e9c46a", "none": "#e76f51", "unknown": "#adb5bd"
            }
            shares = counts.div(counts.sum(axis=1), axis=0) * 100
            fig, ax = plt.subplots(figsize=(10, 3.6))
            left = np.zeros(len(shares))
            for level, colour in COVERAGE_COLOURS.items():
                bars = ax.barh(shares.index, shares[level], left=left, color=colour, label=level)
                labels = [str(n) if s >= 4 else "" for n, s in zip(counts[level], shares[level])]
                ax.bar_label(bars, labels=labels, label_type="center", fontsize=9)
                left += shares[level].to_numpy()
            ax.invert_yaxis()
            ax.set_xlim(0, 100)
            ax.set_xlabel("share of the requirements judged (%); numbers are counts")
            ax.set_ylabel("requirements of A judged by all of B")
            ax.set_title("Coverage of one regime by another (regmap.overlap)")
            ax.legend(title="coverage", loc="upper left", bbox_to_anchor=(1.01, 1))
            fig.tight_layout()
            plt.show()
            """),
        md("""
            The CRA looks poorly covered because it is more than a product standard: Articles 13
            and 14 and Annex II are duties of the manufacturer (risk assessment, reporting to
            ENISA, user information) that the consumer IoT baselines do not speak to. Restricted
            to the product requirements of Annex I the picture is different:
            """),
        code("""
            annex_i = [c.id for c in kb.descendants("cra:annex-i") if not c.is_group]
            pd.DataFrame(
                {
                    f"CRA Annex I by {name}": pd.Series(
                        [row.coverage.value for row in result.a_by_b if row.control in annex_i]
                    ).value_counts()
                    for name, result in overlaps.items()
                }
            ).reindex(list(COVERAGE_COLOURS)).fillna(0).astype(int)
            """),
        md("""
            ## 5. The relation heatmap

            Rows: the 22 requirements of CRA Annex I. Columns: the requirements of the other
            regime that are related (not disjoint) to at least one of them. Each cell is the
            relation of the CRA requirement (row) to the other requirement (column).
            """),
        code("""
            RELATIONS = ["equal", "subset_of", "superset_of", "intersects", "disjoint", "several"]
            RELATION_COLOURS = ["#264653", "#2a9d8f", "#8ab17d", "#e9c46a", "#f4f4f4", "#e76f51"]
            RELATION_LABELS = [
                "equal",
                "subset of (other meets CRA)",
                "superset of (CRA meets other)",
                "intersects with",
                "not related to",
                "undetermined (several possible)",
            ]


            def relation_matrix(rows, cols):
                \"\"\"The index in RELATIONS of the relation of each row to each column.\"\"\"
                matrix = np.zeros((len(rows), len(cols)), dtype=int)
                for i, a in enumerate(rows):
                    for j, b in enumerate(cols):
                        possible = kb.relation(a, b)
                        name = next(iter(possible)).value if len(possible) == 1 else "several"
                        matrix[i, j] = RELATIONS.index(name)
                return matrix


            def short(control_id):
                return control_id.split(":", 1)[1]


            panels = {}
            for regime in ("etsi-en-303-645", "nist-ir-8425"):
                leaves = [c.id for c in kb.controls(regime) if not c.is_group]
                full = relation_matrix(annex_i, leaves)
                related = (full != RELATIONS.index("disjoint")).any(axis=0)
                panels[regime] = ([c for c, keep in zip(leaves, related) if keep], full[:, related])
            {regime: len(cols) for regime, (cols, _) in panels.items()}
            """),
        code("""
            cmap = ListedColormap(RELATION_COLOURS)
            norm = BoundaryNorm(np.arange(len(RELATIONS) + 1) - 0.5, cmap.N)
            fig, axes = plt.subplots(
                1,
                2,
                figsize=(15, 8),
                sharey=True,
                width_ratios=[len(cols) for cols, _ in panels.values()],
                layout="constrained",
            )
            for ax, (regime, (cols, matrix)) in zip(axes, panels.items()):
                image = ax.imshow(matrix, cmap=cmap, norm=norm, aspect="auto")
                ax.set_xticks(range(len(cols)), [short(c) for c in cols], rotation=90, fontsize=8)
                ax.set_yticks(range(len(annex_i)), [short(c) for c in annex_i], fontsize=8)
                ax.set_xticks(np.arange(len(cols)) - 0.5, minor=True)
                ax.set_yticks(np.arange(len(annex_i)) - 0.5, minor=True)
                ax.grid(which="minor", color="white", linewidth=0.6)
                ax.tick_params(which="minor", length=0)
                ax.set_xlabel(f"{NAMES[regime]} requirement")
                ax.set_title(f"CRA Annex I vs {NAMES[regime]}")
            axes[0].set_ylabel("CRA Annex I requirement")
            colorbar = fig.colorbar(image, ax=axes, ticks=range(len(RELATIONS)), shrink=0.7)
            colorbar.ax.set_yticklabels(RELATION_LABELS)
            colorbar.set_label("relation of the CRA requirement (row) to the column")
            fig.suptitle("How each CRA Annex I requirement relates to the baselines' requirements")
            plt.show()
            """),
        md("""
            The darker cells are the useful ones: where a baseline requirement meets a CRA one
            outright, or the CRA requirement meets a baseline one. They are listed here:
            """),
        code("""
            READING = {
                "equal": "the same obligations",
                "subset_of": "meeting the baseline requirement meets the CRA one",
                "superset_of": "meeting the CRA requirement meets the baseline one",
            }
            pd.DataFrame(
                [
                    {"CRA": a, "relation": RELATIONS[m], "other": b,
                     "reading": READING[RELATIONS[m]]}
                    for cols, matrix in panels.values()
                    for a, row in zip(annex_i, matrix)
                    for b, m in zip(cols, row)
                    if RELATIONS[m] in READING
                ]
            )
            """),
        md("""
            ## 6. One requirement's neighbourhood in the graph

            `regmap.graph.to_networkx` turns the knowledge base into a networkx graph: regimes,
            controls and capabilities as nodes; `part_of` (control → its group), `requires`
            (control → capability) and `maps` (an authored crosswalk edge) as edges.
            `neighbourhood` cuts out everything within one edge of a node.
            """),
        code("""
            graph = to_networkx(kb, regimes=("cra", "etsi-en-303-645", "nist-ir-8425"))
            focus = "cra:annex-i.1.2.c"
            sub = neighbourhood(graph, focus, radius=1)
            print(f"{sub.number_of_nodes()} nodes and {sub.number_of_edges()} edges around {focus}")
            """),
        code("""
            NODE_COLOURS = {
                "CRA requirement": "#e76f51",
                "ETSI EN 303 645 requirement": "#2a9d8f",
                "NIST IR 8425 requirement": "#457b9d",
                "group": "#adb5bd",
                "capability": "#e9c46a",
            }
            EDGE_STYLES = {
                "part_of": ("#6c757d", "dashed"),
                "requires": ("#264653", "solid"),
                "maps": ("#e76f51", "solid"),
            }


            def node_kind(data):
                if data["kind"] != "control":
                    return "group" if data["kind"] == "regime" else data["kind"]
                return "group" if data["group"] else f"{NAMES[data['regime']]} requirement"


            kinds = {node: node_kind(data) for node, data in sub.nodes(data=True)}
            # The focus in the centre, the others on a circle grouped by kind.
            order = list(NODE_COLOURS)
            ring = sorted((n for n in sub if n != focus), key=lambda n: (order.index(kinds[n]), n))
            pos = nx.shell_layout(sub, nlist=[[focus], ring])
            simple = nx.DiGraph(sub)

            nodes = sorted(sub)  # a fixed drawing order, so the picture is the same every run

            fig, ax = plt.subplots(figsize=(12, 10))
            for edge_kind, (colour, style) in EDGE_STYLES.items():
                edges = sorted((u, v) for u, v, d in sub.edges(data=True) if d["kind"] == edge_kind)
                nx.draw_networkx_edges(simple, pos, edgelist=edges, edge_color=colour, style=style,
                                       arrows=True, arrowsize=12, node_size=900, ax=ax)
            nx.draw_networkx_nodes(sub, pos, nodelist=nodes,
                                   node_color=[NODE_COLOURS[kinds[n]] for n in nodes],
                                   node_size=[2200 if n == focus else 900 for n in nodes], ax=ax)
            nx.draw_networkx_labels(sub, pos, labels={n: n.replace(":", ":\\n", 1) for n in nodes},
                                    font_size=8, ax=ax)
            handles = [Line2D([], [], marker="o", linestyle="", markersize=11, color=colour,
                              label=kind)
                       for kind, colour in NODE_COLOURS.items() if kind in kinds.values()]
            handles += [Line2D([], [], color=colour, linestyle=style, label=f"edge: {kind}")
                        for kind, (colour, style) in EDGE_STYLES.items()]
            ax.legend(handles=handles, title="node kind / edge kind", loc="upper left",
                      bbox_to_anchor=(1.0, 1.0))
            ax.set_title(f"Neighbourhood of {focus}: {kb.control(focus).title}")
            ax.set_xlabel("layout position (no unit): the focus in the centre, neighbours round it")
            ax.set_ylabel("layout position (no unit)")
            ax.margins(0.12)
            fig.tight_layout()
            plt.show()
            """),
        md("""
            The `maps` edges are the authored crosswalk, each with the relation its author
            chose and a rationale. Where both ends are decomposed, regmap computes the relation
            from the capabilities instead (section 3); where the two readings differ, the
            mapping carries a note saying why, and `regmap validate --crosswalks` reports any
            difference that has none.
            """),
        code("""
            pd.DataFrame(
                [
                    {
                        "ETSI EN 303 645": v,
                        "authored": d["relation"],
                        "computed": " or ".join(sorted(r.value for r in kb.relation(u, v))),
                        "rationale": d["rationale"],
                    }
                    for u, v, d in sub.edges(data=True)
                    if d["kind"] == "maps"
                ]
            ).sort_values("ETSI EN 303 645").reset_index(drop=True)
            """),
        md("""
            **Next:** `02-product-gap-analysis.ipynb` declares a product and judges it against
            these regimes.
            """),
    ]


# -- 02 ------------------------------------------------------------------------------------


def product_gap_analysis() -> list[Cell]:
    """Cells of 02-product-gap-analysis: declare, analyse, chart, explain, export."""
    return [
        md("""
            # Product gap analysis: one smart plug against the CRA, ETSI EN 303 645 and NIST IR 8425

            **Purpose:** declare what a smart plug does for security, and see which obligations
            of three regimes it meets, only partly meets or misses.

            Every verdict comes with its reasons, and the analysis leaves as an Excel workbook.
            """),
        code("""
            import datetime
            import tempfile
            import textwrap
            from pathlib import Path

            import matplotlib.pyplot as plt
            import numpy as np
            import pandas as pd
            from matplotlib.patches import Patch
            from openpyxl import load_workbook

            import regmap

            pd.set_option("display.width", 120)
            pd.set_option("display.max_colwidth", 70)

            kb = regmap.load()
            REGIMES = ["cra", "etsi-en-303-645", "nist-ir-8425"]
            AS_OF = datetime.date(2026, 11, 1)  # a fixed analysis date, so the outputs do not move
            STATUS_COLOURS = {
                "met": "#2a9d8f",
                "partial": "#e9c46a",
                "gap": "#e76f51",
                "not_applicable": "#adb5bd",
            }
            """),
        md("""
            ## 1. Declare the product

            A product declaration has two parts.

            * **Facts** answer the applicability questions the regimes ask (is it networked, does
              it use passwords, where is it sold, which CRA class). A fact left out is assumed to
              make the requirement apply, and the report says so.
            * **Features** say what the product does, in any of three forms: a **capability** of
              regmap's vocabulary with its status (`implemented`, `partial`, `planned`,
              `not_applicable`) and evidence; a **control** of any regime that the product already
              meets (here an ETSI EN 303 645 provision); or **free text**, which regmap matches
              to capabilities with a score for a person to confirm.
            """),
        code("""
            product = regmap.Product(
                name="Acme SmartPlug 1",
                manufacturer="Acme Home Devices",
                description="Wi-Fi smart plug switched from a phone app and by voice assistants.",
                markets=["eu", "us"],
                cra_class="default",
                facts={
                    "is_networked": True,
                    "has_user_interface": False,
                    "uses_passwords": True,
                    "constrained": False,
                    "updatable": True,
                    "processes_personal_data": True,
                    "collects_telemetry": True,
                    "has_debug_interface": True,
                    "has_remote_data_processing": True,
                },
                features=[
                    # Capabilities, with their status (implemented unless said) and evidence.
                    {"capability": "cap:unique-device-credentials",
                     "evidence": "per-device setup code printed on the label"},
                    {"capability": "cap:user-changeable-credentials"},
                    {"capability": "cap:brute-force-protection"},
                    {"capability": "cap:user-authentication"},
                    {"capability": "cap:signed-updates",
                     "evidence": "Ed25519-signed images, verified by the bootloader"},
                    {"capability": "cap:authorised-updating"},
                    {"capability": "cap:updatable-software-components"},
                    {"capability": "cap:automatic-update-capability"},
                    {"capability": "cap:automatic-updates-by-default"},
                    {"capability": "cap:update-notifications"},
                    {"capability": "cap:secure-update-distribution"},
                    {"capability": "cap:timely-security-updates", "status": "partial",
                     "evidence": "30-day target for critical fixes, missed twice last year"},
                    {"capability": "cap:secure-storage-of-secrets"},
                    {"capability": "cap:encrypted-transport", "evidence": "TLS 1.3 to the cloud"},
                    {"capability": "cap:best-practice-cryptography"},
                    {"capability": "cap:secure-default-configuration"},
                    {"capability": "cap:reset-to-secure-default"},
                    {"capability": "cap:unused-services-disabled"},
                    {"capability": "cap:interface-minimisation"},
                    {"capability": "cap:vulnerability-intake"},
                    {"capability": "cap:vulnerability-remediation"},
                    {"capability": "cap:security-advisories", "status": "partial"},
                    {"capability": "cap:support-period-definition"},
                    {"capability": "cap:support-period-publication",
                     "evidence": "end of support printed on the box"},
                    {"capability": "cap:sbom", "status": "planned"},
                    {"capability": "cap:security-event-logging", "status": "planned"},
                    # A control of another regime the product already meets.
                    {"control": "etsi-en-303-645:5.2-1",
                     "evidence": "disclosure policy and security.txt on acme.example"},
                    # Free text, matched to capabilities.
                    {"text": "Debug UART is disabled in production firmware"},
                    {"text": "Factory reset erases all user data and Wi-Fi credentials from flash"},
                    {"text": "We care about security"},
                ],
            )
            print(product.name, "-", len(product.features), "features declared")
            """),
        md("""
            ## 2. Analyse it

            `regmap.analyze` judges every control of the regimes: **met** when every applicable
            capability it requires is provided, **partial** when some are (coverage is the
            share), **gap** when none are, **not applicable** when its conditions do not hold
            for this product. Groups roll their children up.
            """),
        code("""
            report = regmap.analyze(product, REGIMES, kb, as_of=AS_OF)
            STATUSES = list(STATUS_COLOURS)
            summary = pd.DataFrame(
                [
                    {
                        "regime": s.regime,
                        "version": s.version,
                        **{st: sum(s.counts[kind][st] for kind in s.counts) for st in STATUSES},
                        "coverage": s.coverage,
                        "coverage, mandatory": s.coverage_mandatory,
                        "coverage, recommended": s.coverage_recommended,
                    }
                    for s in report.summary()
                ]
            ).set_index("regime")
            summary
            """),
        code("""
            fig, (left_ax, right_ax) = plt.subplots(1, 2, figsize=(14, 4.2))
            start = np.zeros(len(summary))
            for status, colour in STATUS_COLOURS.items():
                bars = left_ax.barh(summary.index, summary[status], left=start, color=colour,
                                    label=status.replace("_", " "))
                left_ax.bar_label(bars, labels=[str(n) if n >= 3 else "" for n in summary[status]],
                                  label_type="center", fontsize=9)
                start += summary[status].to_numpy()
            left_ax.invert_yaxis()
            left_ax.set_xlabel("number of requirements")
            left_ax.set_ylabel("regime")
            left_ax.set_title("Verdicts per regime")
            left_ax.legend(title="status", loc="lower right")

            y = np.arange(len(summary))
            for offset, column, colour in [(-0.2, "coverage, mandatory", "#264653"),
                                           (0.2, "coverage, recommended", "#8ab17d")]:
                values = summary[column].astype(float)
                bars = right_ax.barh(y + offset, values.fillna(0) * 100, height=0.4, color=colour,
                                     label=column)
                labels = ["no such requirements" if np.isnan(v) else f"{v:.0%}" for v in values]
                right_ax.bar_label(bars, labels=labels, padding=3, fontsize=9)
            right_ax.set_yticks(y, summary.index)
            right_ax.invert_yaxis()
            right_ax.set_xlim(0, 100)
            right_ax.set_xlabel("mean coverage of the applicable requirements (%)")
            right_ax.set_title("Coverage per regime and obligation")
            right_ax.legend(title="requirements", loc="lower right")
            fig.tight_layout()
            plt.show()
            """),
        md("""
            ## 3. Coverage per CRA Annex I requirement

            `report.to_dataframe()` gives one row per verdict (needs pandas), which makes
            slicing easy: here the essential requirements of CRA Annex I.
            """),
        code("""
            verdicts = report.to_dataframe()
            annex_i = verdicts[verdicts.control.str.startswith("cra:annex-i.") & ~verdicts.is_group]
            annex_i[["control", "title", "status", "coverage", "missing"]].head()
            """),
        code("""
            labels = [f"{c.split(':')[1]}  {textwrap.shorten(t, 45, placeholder='…')}"
                      for c, t in zip(annex_i.control, annex_i.title)]
            fig, ax = plt.subplots(figsize=(11, 8))
            colours = [STATUS_COLOURS[s] for s in annex_i.status]
            ax.barh(labels, 100, color=colours, alpha=0.25)  # pale: the share still missing
            ax.barh(labels, annex_i.coverage * 100, color=colours)
            ax.invert_yaxis()
            ax.set_xlim(0, 100)
            ax.set_xlabel("coverage: share of the required capabilities provided (%)")
            ax.set_ylabel("CRA Annex I requirement")
            ax.set_title(f"{product.name}: coverage of each CRA Annex I essential requirement")
            ax.legend(handles=[Patch(color=c, label=s.replace("_", " "))
                               for s, c in STATUS_COLOURS.items() if s in set(annex_i.status)],
                      title="status (pale: missing)", loc="upper left", bbox_to_anchor=(1.01, 1))
            fig.tight_layout()
            plt.show()
            """),
        md("""
            ## 4. What the free text turned into

            A free-text feature is used when its best match scores high enough and clearly
            beats the runner-up; otherwise it waits for a person, with its candidates.
            """),
        code("""
            for c in report.matched:
                print(f"used    score {c.score:3.0f}  {c.capability:40} <- {c.via}")
            for item in report.needs_review:
                best = item.candidates[0]
                print(f"review  score {best.score:3.0f}  {best.capability:40} <- text: {item.text}")
                print(f"                   ({item.reason})")
            """),
        md("""
            ## 5. Why: the explanation behind each verdict

            `report.explain(control)` says which capabilities were provided and how (declared,
            implied by another capability, contributed by a claimed control, matched from text),
            what is missing, and which facts were assumed.
            """),
        code("""
            for control in ["cra:annex-i.1.2.c", "cra:annex-i.2.1", "etsi-en-303-645:5.1-1",
                            "nist-ir-8425:software-update.1"]:
                print(report.explain(control), end="\\n\\n")
            """),
        md("""
            The mandatory CRA requirements with nothing in place yet, with what each lacks
            (`03-comply-once.ipynb` orders this work):
            """),
        code("""
            gaps = verdicts[(verdicts.regime == "cra") & (verdicts.status == "gap")
                            & ~verdicts.is_group & (verdicts.obligation != "recommended")]
            print(len(gaps), "mandatory CRA requirements are gaps; the first ten:")
            gaps[["control", "title", "missing"]].head(10).reset_index(drop=True)
            """),
        md("""
            ## 6. Export the workbook

            `report.to_excel(path)` writes the workbook a compliance team works in: a summary
            with a chart, every verdict with its explanation, the implementation plan, the
            crosswalk, the evidence and the sources. Here it goes to a temporary directory.
            """),
        code("""
            with tempfile.TemporaryDirectory() as folder:
                path = report.to_excel(Path(folder) / "smartplug-gaps.xlsx")
                workbook = load_workbook(path)
                print("wrote", path.name, "with sheets:", ", ".join(workbook.sheetnames))
                workbook.close()
            """),
    ]


# -- 03 ------------------------------------------------------------------------------------


def comply_once() -> list[Cell]:
    """Cells of 03-comply-once: the plan across regimes, and what ETSI buys toward the CRA."""
    return [
        md("""
            # Comply once: one plan for several regimes

            **Purpose:** decide which security capabilities to build first when one product must
            meet the CRA, ETSI EN 303 645 and NIST IR 8425 together.

            Then measure how much of the CRA a product that meets ETSI EN 303 645 has covered.
            """),
        code("""
            import datetime

            import matplotlib.pyplot as plt
            import numpy as np
            import pandas as pd

            import regmap

            pd.set_option("display.width", 120)
            pd.set_option("display.max_colwidth", 70)

            kb = regmap.load()
            REGIMES = ["cra", "etsi-en-303-645", "nist-ir-8425"]
            NAMES = {
                "cra": "CRA", "etsi-en-303-645": "ETSI EN 303 645", "nist-ir-8425": "NIST IR 8425"
            }
            AS_OF = datetime.date(2026, 11, 1)  # a fixed analysis date, so the outputs do not move
            """),
        md("""
            ## 1. A product at the design stage

            A video doorbell sold in the EU and the US, an *important product of class I* under
            the CRA. Only its facts are declared: it does nothing for security yet.
            """),
        code("""
            doorbell = regmap.Product(
                name="Acme Doorbell (design stage)",
                markets=["eu", "us"],
                cra_class="important-class-i",
                facts={
                    "is_networked": True,
                    "has_user_interface": True,
                    "uses_passwords": True,
                    "constrained": False,
                    "updatable": True,
                    "processes_personal_data": True,
                    "collects_telemetry": True,
                    "has_debug_interface": True,
                    "has_remote_data_processing": True,
                },
            )
            report = regmap.analyze(doorbell, REGIMES, kb, as_of=AS_OF)
            plan = regmap.plan(doorbell, REGIMES, kb, report=report)
            print(f"{plan.open_mandatory} mandatory obligations are open;")
            print(f"the plan closes every obligation with {len(plan.steps)} capabilities.")
            """),
        md("""
            ## 2. The plan

            `regmap.plan` orders the missing capabilities so that mandatory obligations close
            as early as possible: at each round it picks the bundle of capabilities that closes
            the most obligations per capability added (recommended ones weigh a quarter). The
            first fifteen steps:
            """),
        code("""
            steps = pd.DataFrame(
                [
                    {
                        "step": i,
                        "capability": s.capability,
                        "name": s.name,
                        "closes": len(s.closes),
                        "mandatory closed so far": s.cumulative_closed,
                        "coverage": s.cumulative_coverage,
                    }
                    for i, s in enumerate(plan.steps, start=1)
                ]
            ).set_index("step")
            steps.head(15)
            """),
        md("""
            ## 3. The cumulative coverage curve

            The plan's own measure is the mean coverage of the mandatory obligations across all
            three regimes. To see each regime separately, the product is analysed again with the
            first *k* capabilities of the plan implemented, for *k* in steps of five.
            """),
        code("""
            caps = [s.capability for s in plan.steps]
            checkpoints = list(range(0, len(caps), 5)) + [len(caps)]
            per_regime = {r: [] for r in REGIMES}
            for k in checkpoints:
                partway = doorbell.model_copy(
                    update={"features": tuple(regmap.Feature(capability=c) for c in caps[:k])}
                )
                for s in regmap.analyze(partway, REGIMES, kb, as_of=AS_OF).summary():
                    per_regime[s.regime].append(s.coverage * 100)

            overall = [plan.start_coverage * 100]
            overall += [s.cumulative_coverage * 100 for s in plan.steps]
            fig, ax = plt.subplots(figsize=(11, 5.5))
            ax.plot(range(len(overall)), overall, color="black", linewidth=2.5,
                    label="all three, mandatory obligations (the plan's measure)")
            regime_colours = ["#e76f51", "#2a9d8f", "#457b9d"]
            for (regime, values), colour in zip(per_regime.items(), regime_colours):
                ax.plot(checkpoints, values, marker="o", markersize=3, color=colour,
                        label=f"{NAMES[regime]}, all applicable requirements")
            first_80 = next(i for i, v in enumerate(overall) if v >= 80)
            ax.axhline(80, color="grey", linestyle=":", linewidth=1)
            ax.annotate(f"80 % after {first_80} capabilities", (first_80, 80),
                        xytext=(first_80 + 8, 62), arrowprops={"arrowstyle": "->"})
            ax.set_xlim(0, len(overall) - 1)
            ax.set_ylim(0, 102)
            ax.set_xlabel("capabilities implemented, in plan order")
            ax.set_ylabel("mean coverage (%)")
            ax.set_title(f"{doorbell.name}: coverage as the plan is implemented")
            ax.legend(loc="lower right")
            fig.tight_layout()
            plt.show()
            """),
        md("""
            ## 4. Once, or one regime at a time?

            Planning each regime on its own and adding the plans up counts every shared
            capability several times. The joint plan counts it once.
            """),
        code("""
            alone = {}
            for regime in REGIMES:
                own_report = regmap.analyze(doorbell, [regime], kb, as_of=AS_OF)
                own_plan = regmap.plan(doorbell, [regime], kb, report=own_report)
                alone[regime] = {s.capability for s in own_plan.steps}
            shared_by_all = set.intersection(*alone.values())
            for regime, needed in alone.items():
                print(f"{regime:16} alone needs {len(needed):3} capabilities")
            print(f"{'sum of the three':16}       {sum(map(len, alone.values())):3}")
            print(f"{'all three at once':16} needs {len(plan.steps):3}")
            print(f"{len(shared_by_all)} capabilities are needed by all three regimes, e.g.:",
                  ", ".join(sorted(shared_by_all)[:4]))
            """),
        code("""
            names = [f"{NAMES[r]}\\nalone" for r in REGIMES]
            names += ["the three plans\\nadded up", "one plan\\nfor all three"]
            values = [len(alone[r]) for r in REGIMES]
            values += [sum(map(len, alone.values())), len(plan.steps)]
            colours = ["#adb5bd"] * len(REGIMES) + ["#e76f51", "#2a9d8f"]
            fig, ax = plt.subplots(figsize=(9, 4))
            bars = ax.bar(names, values, color=colours)
            ax.bar_label(bars, padding=2)
            ax.set_ylim(0, max(values) * 1.15)
            ax.set_ylabel("capabilities to implement")
            ax.set_xlabel("regimes planned for")
            ax.set_title("Capabilities needed: each regime alone, added up, and planned together")
            ax.legend(handles=bars[-2:], labels=["one plan per regime, added up", "one joint plan"],
                      loc="upper left")
            fig.tight_layout()
            plt.show()
            """),
        md("""
            ## 5. What meeting ETSI EN 303 645 already buys toward the CRA

            First from the catalogs alone: `regmap.overlap` judges each CRA requirement against
            everything ETSI EN 303 645 demands, grouped here by part of the regulation.
            """),
        code("""
            SECTIONS = {
                "cra:art-13": "Art. 13 manufacturer obligations",
                "cra:art-14": "Art. 14 reporting",
                "cra:annex-i.1": "Annex I Part I product properties",
                "cra:annex-i.2": "Annex I Part II vulnerability handling",
                "cra:annex-ii": "Annex II information to users",
            }
            COVERAGE_COLOURS = {
                "full": "#2a9d8f", "partial": "#e9c46a", "none": "#e76f51", "unknown": "#adb5bd"
            }
            overlap = regmap.overlap(kb, "cra", "etsi-en-303-645")
            coverage_of = {row.control: row.coverage.value for row in overlap.a_by_b}
            by_section = pd.DataFrame(
                {
                    name: pd.Series(
                        [coverage_of[c.id] for c in kb.descendants(group) if not c.is_group]
                    ).value_counts()
                    for group, name in SECTIONS.items()
                }
            ).T.reindex(columns=list(COVERAGE_COLOURS)).fillna(0).astype(int)
            by_section.loc["CRA, all requirements"] = by_section.sum()
            by_section
            """),
        code("""
            fig, ax = plt.subplots(figsize=(11, 4))
            start = np.zeros(len(by_section))
            for level, colour in COVERAGE_COLOURS.items():
                bars = ax.barh(by_section.index, by_section[level], left=start, color=colour,
                               label=level)
                ax.bar_label(bars, labels=[str(n) if n else "" for n in by_section[level]],
                             label_type="center", fontsize=9)
                start += by_section[level].to_numpy()
            ax.invert_yaxis()
            ax.set_xlabel("number of CRA requirements")
            ax.set_ylabel("part of the CRA")
            ax.set_title("CRA requirements covered by everything ETSI EN 303 645 demands")
            ax.legend(title="coverage by ETSI EN 303 645", loc="lower right")
            fig.tight_layout()
            plt.show()
            """),
        md("""
            Now for the doorbell: declare every provision of ETSI EN 303 645 met (as a
            conformance statement would) and analyse the CRA again. A claimed control contributes
            the capabilities it demands, so the CRA requirements that need the same capabilities
            move forward.
            """),
        code("""
            etsi_met = doorbell.model_copy(
                update={
                    "name": "Acme Doorbell (ETSI EN 303 645 met)",
                    "features": tuple(
                        regmap.Feature(control=c.id)
                        for c in kb.controls("etsi-en-303-645")
                        if not c.is_group
                    ),
                }
            )
            before = regmap.analyze(doorbell, ["cra"], kb, as_of=AS_OF)
            after = regmap.analyze(etsi_met, ["cra"], kb, as_of=AS_OF)


            for rep in (before, after):
                s = rep.summary()[0]
                counts = s.counts["mandatory"]
                print(f"{rep.product.name:36} CRA coverage {s.coverage:6.1%}  met {counts['met']:2}"
                      f"  partial {counts['partial']:2}  gap {counts['gap']:2}")

            parts = {**SECTIONS, "cra": "CRA, all requirements"}
            gains = pd.DataFrame(
                [
                    {
                        "part of the CRA": name,
                        "requirements": len(leaves),
                        "fully met (%)": 100 * np.mean([v.status.value == "met" for v in leaves]),
                        "mean coverage (%)": 100 * np.mean([v.coverage for v in leaves]),
                    }
                    for group, name in parts.items()
                    for leaves in [[after.verdict(c.id) for c in kb.descendants(group)
                                    if not c.is_group]]
                ]
            ).set_index("part of the CRA").round(1)
            gains
            """),
        code("""
            y = np.arange(len(gains))
            fig, ax = plt.subplots(figsize=(11, 4.8))
            for offset, column, colour in [(-0.2, "fully met (%)", "#2a9d8f"),
                                           (0.2, "mean coverage (%)", "#e9c46a")]:
                bars = ax.barh(y + offset, gains[column], height=0.4, color=colour, label=column)
                ax.bar_label(bars, fmt="%.0f %%", padding=3, fontsize=9)
            ax.set_yticks(y, gains.index)
            ax.invert_yaxis()
            ax.set_xlim(0, 100)
            ax.set_xlabel("share of the CRA requirements in that part (%)")
            ax.set_ylabel("part of the CRA")
            ax.set_title("What meeting ETSI EN 303 645 buys toward the CRA: the doorbell")
            ax.legend(title="CRA requirements", loc="lower right")
            fig.tight_layout()
            plt.show()
            """),
        md("""
            What is left to do for the CRA once ETSI EN 303 645 is met, in plan order:
            """),
        code("""
            rest = regmap.plan(etsi_met, ["cra"], kb, report=after)
            print(f"{len(rest.steps)} capabilities remain for the CRA (instead of "
                  f"{len(alone['cra'])} from scratch); the first ten:")
            for s in rest.steps[:10]:
                print(f"  {s.capability:45} closes {len(s.closes)}")
            """),
    ]


# -- 04 ------------------------------------------------------------------------------------


def bring_your_own() -> list[Cell]:
    """Cells of 04-bring-your-own: a user's regime and mappings from YAML and CSV."""
    return [
        md("""
            # Bring your own: add your own requirements and mappings

            **Purpose:** load your own security policy as a regime, with mappings to the shipped
            regimes written in YAML and in a CSV table.

            Validate it, then analyse a product against it next to the shipped regimes.
            """),
        code("""
            import csv
            import datetime
            import tempfile
            import textwrap
            from pathlib import Path

            import matplotlib.pyplot as plt
            import pandas as pd
            from matplotlib.patches import Patch

            import regmap

            pd.set_option("display.width", 120)
            pd.set_option("display.max_colwidth", 70)

            AS_OF = datetime.date(2026, 11, 1)  # a fixed analysis date, so the outputs do not move
            workdir = Path(tempfile.mkdtemp(prefix="regmap-byo-"))


            def write(name, text):
                \"\"\"Write a file into the working directory and return its path.\"\"\"
                path = workdir / name
                path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
                return path


            def show(findings):
                \"\"\"Print the findings about our files, with paths relative to workdir.\"\"\"
                ours = [f for f in findings if str(f.location.path).startswith(str(workdir))]
                for finding in ours:
                    print(f"{finding.severity.value:7}", str(finding).replace(f"{workdir}/", ""))
                print(f"{len(ours)} finding(s) about our files")
            """),
        md("""
            ## 1. The regime: one YAML file

            The format is the one the shipped catalogs use (`docs/formats.md`): the regime's
            metadata, then its controls in document order, nested under their groups. Ids are
            `<regime>:<clause>`, and the part after the colon must match `id_pattern`. A regime
            may define facts of its own for its applicability expressions, as this one does.
            """),
        code('''
            regime_file = write("acme-psp.yaml", """
                regime:
                  id: acme-psp
                  title: Acme Product Security Policy
                  short_title: Acme PSP
                  version: "2.0"
                  published: 2025-03-01
                  jurisdiction: internal
                  kind: standard
                  url: https://acme.example/policies/product-security
                  addressee: Acme product teams
                  id_pattern: '[0-9]+([.][0-9]+)*'
                  facts:
                    - id: acme_has_cloud_account
                      type: bool
                      question: Do users manage the product through an Acme cloud account?
                controls:
                  - id: acme-psp:1
                    ref: Section 1
                    title: Credentials and access
                    controls:
                      - id: acme-psp:1.1
                        ref: Section 1.1
                        title: Unique device credentials
                        statement: Every unit ships with its own credentials and resists guessing.
                        obligation: mandatory
                        url: https://acme.example/policies/product-security#1.1
                      - id: acme-psp:1.2
                        ref: Section 1.2
                        title: Two-factor login to the cloud account
                        statement: The cloud account offers a second authentication factor.
                        obligation: conditional
                        applies_to: acme_has_cloud_account
                        url: https://acme.example/policies/product-security#1.2
                  - id: acme-psp:2
                    ref: Section 2
                    title: Updates
                    controls:
                      - id: acme-psp:2.1
                        ref: Section 2.1
                        title: Signed updates
                        statement: Install only updates that are signed and authorised.
                        obligation: mandatory
                        url: https://acme.example/policies/product-security#2.1
                      - id: acme-psp:2.2
                        ref: Section 2.2
                        title: Five years of support, announced
                        statement: Support every product for five years or more and say until when.
                        obligation: mandatory
                        url: https://acme.example/policies/product-security#2.2
                  - id: acme-psp:3
                    ref: Section 3
                    title: Customer communication
                    controls:
                      - id: acme-psp:3.1
                        ref: Section 3.1
                        title: Security point of contact
                        statement: Give customers a contact for security questions, and answer them.
                        obligation: mandatory
                        url: https://acme.example/policies/product-security#3.1
                      - id: acme-psp:3.2
                        ref: Section 3.2
                        title: Personal data encrypted in transit
                        statement: Encrypt personal data whenever it leaves the device.
                        obligation: recommended
                        url: https://acme.example/policies/product-security#3.2
                """)
            print("wrote", regime_file.name)
            '''),
        md("""
            ## 2. Its decompositions and a mapping, in YAML

            A **decomposition** lists the capabilities a control requires (optionally only
            `when` a condition holds), with a rationale; this is what lets regmap compare the
            policy with every other regime. Section 3 is left undecomposed on purpose: its two
            controls are judged through **mappings** instead, as the controls of an imported
            catalog often are. A mapping reads "source *relation* target" and carries a
            confidence, a rationale and its provenance.

            The first version below has two mistakes in it, as first versions do.
            """),
        code('''
            write("acme-psp-decompositions.yaml", """
                decompositions:
                  regime: acme-psp
                  items:
                    - control: acme-psp:1.1
                      requires: [cap:unique-device-credentials, cap:brute-force-protection]
                      rationale: Per-unit credentials, and protection against guessing them.
                    - control: acme-psp:1.2
                      requires:
                        - capability: cap:multi-factor-authentication-support
                          when: acme_has_cloud_account
                      rationale: A second factor for the cloud account.
                    - control: acme-psp:2.1
                      requires: [cap:signed-update, cap:authorised-updating]
                      rationale: Signature check plus authorisation of the update.
                    - control: acme-psp:2.2
                      requires:
                        - cap:support-period-minimum-five-years
                        - cap:support-period-publication
                      rationale: The support period and its publication.
                """)
            write("acme-psp__nist-ir-8425.yaml", """
                mappings:
                  source_regime: acme-psp
                  target_regime: nist-ir-8425
                  items:
                    - source: acme-psp:3.1
                      target: nist-ir-8425:information-and-query-reception.10
                      relation: equal
                      confidence: high
                      rationale: Section 3.1 adopts the NIST IR 8425 outcome as it stands.
                      provenance:
                        kind: authored
                        by: Acme product security office
                        method: policy drafted from the NIST IR 8425 text
                """)
            sorted(p.name for p in workdir.iterdir())
            '''),
        md("""
            ## 3. Validate

            `regmap.load(extra=[...])` adds the files to the shipped knowledge base. By default
            it refuses data with errors (`CatalogError`, listing every finding); with
            `strict=False` it loads anyway and `kb.validate()` returns the findings, each with
            the file, line, id, message and a stable code (`docs/errors.md`).
            """),
        code("""
            try:
                regmap.load(extra=[workdir])
            except regmap.CatalogError as error:
                print("refused:", type(error).__name__)
            show(regmap.load(extra=[workdir], strict=False).validate())
            """),
        md("""
            Fix both (the capability is `cap:signed-updates`; the NIST IR 8425 outcome is
            `information-and-query-reception.1`) and validate again:
            """),
        code("""
            for name, wrong, right in [
                ("acme-psp-decompositions.yaml", "cap:signed-update,", "cap:signed-updates,"),
                ("acme-psp__nist-ir-8425.yaml", "reception.10", "reception.1"),
            ]:
                path = workdir / name
                fixed = path.read_text(encoding="utf-8").replace(wrong, right)
                path.write_text(fixed, encoding="utf-8")
            kb = regmap.load(extra=[workdir])
            show(kb.validate())
            """),
        md("""
            ## 4. Mappings from a spreadsheet (CSV)

            Crosswalks are often kept as tables. regmap reads CSV (and `.xlsx`) mapping tables
            with its own column names or those of NIST's OLIR template (*Focal Document
            Element*, *Relationship* in IR 8477 wording, *Reference Document Element*,
            *Comments*, *Strength of Relationship* 0-10). Loading a directory picks up only its
            YAML files, so a table is passed as a file of its own.
            """),
        code("""
            rows = [
                ["Focal Document Element", "Relationship", "Reference Document Element",
                 "Comments", "Strength of Relationship"],
                ["acme-psp:3.2", "subset of", "etsi-en-303-645:5.8-1",
                 "ETSI also demands best-practice cryptography for it", 8],
                ["acme-psp:2.1", "equal", "etsi-en-303-645:5.3-2",
                 "Both demand signed and authorised updates", 9],
            ]
            table = workdir / "acme-psp-olir.csv"
            with table.open("w", newline="", encoding="utf-8") as file:
                csv.writer(file).writerows(rows)
            print(table.read_text(encoding="utf-8"))
            """),
        code("""
            kb = regmap.load(extra=[workdir, table])
            show(kb.validate(crosswalks=True))  # also compares each mapping with the decompositions
            print([r.id for r in kb.regimes if r.id.startswith("acme")], "loaded with",
                  sum(1 for m in kb.mappings if m.source.startswith("acme-psp")), "mappings")
            """),
        md("""
            `validate(crosswalks=True)` also compared the `equal` between policy 2.1 and ETSI
            EN 303 645 provision 5.3-2 with the two decompositions: they agree, so there is no
            finding. The policy now sits in the graph like a shipped regime. Between decomposed
            controls the relation is computed from their capabilities; for section 3 it comes
            from the mappings.
            """),
        code("""
            for a, b in [("acme-psp:2.1", "etsi-en-303-645:5.3-2"),
                         ("acme-psp:2.1", "nist-ir-8425:software-update.1"),
                         ("acme-psp:3.1", "nist-ir-8425:information-and-query-reception.1"),
                         ("acme-psp:3.2", "etsi-en-303-645:5.8-1")]:
                relation = " or ".join(r.ir8477 for r in sorted(kb.relation(a, b)))
                print(f"{a}  {relation:>15}  {b}")
            pd.DataFrame(
                [{"source": m.source, "relation": m.relation.value, "target": m.target,
                  "provenance": m.provenance.kind, "rationale": m.rationale}
                 for m in kb.mappings if m.source.startswith("acme-psp")]
            )
            """),
        md("""
            ## 5. Include it in an analysis

            The policy is analysed like any regime. The product answers the policy's own
            question (`acme_has_cloud_account`) next to the shared facts, and a control of the
            policy that it claims counts toward every regime that needs the same capabilities.
            """),
        code("""
            plug = regmap.Product(
                name="Acme SmartPlug 1",
                markets=["eu"],
                facts={"is_networked": True, "uses_passwords": True, "updatable": True,
                       "acme_has_cloud_account": True},
                features=[
                    {"capability": "cap:unique-device-credentials"},
                    {"capability": "cap:brute-force-protection"},
                    {"capability": "cap:security-contact"},
                    {"capability": "cap:vulnerability-intake"},
                    {"capability": "cap:cybersecurity-query-response"},
                    {"capability": "cap:best-practice-cryptography"},
                    {"capability": "cap:support-period-minimum-five-years"},
                    {"control": "acme-psp:2.1", "evidence": "policy audit 2025-Q4"},
                ],
            )
            report = regmap.analyze(plug, ["acme-psp", "cra", "etsi-en-303-645"], kb, as_of=AS_OF)
            policy = report.to_dataframe().query("regime == 'acme-psp' and not is_group")
            policy[["control", "title", "obligation", "status", "coverage", "missing"]]
            """),
        code("""
            for control in ["acme-psp:3.1", "acme-psp:3.2", "acme-psp:1.2"]:
                print(report.explain(control), end="\\n\\n")
            """),
        code("""
            STATUS_COLOURS = {
                "met": "#2a9d8f",
                "partial": "#e9c46a",
                "gap": "#e76f51",
                "not_applicable": "#adb5bd",
            }
            fig, ax = plt.subplots(figsize=(11, 3.8))
            labels = [f"{c.split(':')[1]}  {t}" for c, t in zip(policy.control, policy.title)]
            colours = [STATUS_COLOURS[s] for s in policy.status]
            ax.barh(labels, 100, color=colours, alpha=0.25)  # pale: the share still missing
            ax.barh(labels, policy.coverage * 100, color=colours)
            ax.invert_yaxis()
            ax.set_xlim(0, 100)
            ax.set_xlabel("coverage (%)")
            ax.set_ylabel("Acme PSP requirement")
            ax.set_title(f"{plug.name} against the Acme Product Security Policy")
            ax.legend(handles=[Patch(color=c, label=s.replace("_", " "))
                               for s, c in STATUS_COLOURS.items() if s in set(policy.status)],
                      title="status (pale: missing)", loc="upper left", bbox_to_anchor=(1.01, 1))
            fig.tight_layout()
            plt.show()
            """),
        md("""
            The product claimed policy control 2.1, and the capabilities that control demands
            count for ETSI EN 303 645 too:
            """),
        code("""
            print(report.explain("etsi-en-303-645:5.3-2"), end="\\n\\n")
            for s in report.summary():
                print(f"{s.regime:16} {s.title:30} coverage {s.coverage:6.1%}")
            """),
        md("""
            To keep the policy, commit the YAML and CSV files next to your product declarations,
            pass them with `regmap --extra PATH` on the command line or `regmap.load(extra=[...])`
            in Python, and run `regmap validate PATH` in CI.
            """),
    ]


NOTEBOOKS: dict[str, Callable[[], list[Cell]]] = {
    "01-crosswalk-explorer": crosswalk_explorer,
    "02-product-gap-analysis": product_gap_analysis,
    "03-comply-once": comply_once,
    "04-bring-your-own": bring_your_own,
}
"""Every notebook, by file name (without ``.ipynb``), with the function giving its cells."""


def make(cells: list[Cell]) -> Any:
    """A notebook of the cells, with stable cell ids (so a rebuild changes only outputs)."""
    nb = NBF.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    for index, (kind, source) in enumerate(cells):
        new_cell = NBF.v4.new_markdown_cell if kind == "markdown" else NBF.v4.new_code_cell
        cell = new_cell(source)
        cell.id = f"cell-{index:02d}"
        nb.cells.append(cell)
    return nb


def execute(nb: Any, *, timeout: int = CELL_TIMEOUT) -> Any:
    """Run every cell in a fresh kernel started in this directory; raise if a cell fails."""
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(HERE)}},
    )
    return client.execute()


def build(name: str) -> Path:
    """Write ``<name>.ipynb`` with real outputs and return its path."""
    nb = execute(make(NOTEBOOKS[name]()))
    nb.metadata = make([]).metadata  # drop what the kernel added (its exact version)
    path = HERE / f"{name}.ipynb"
    NBF.validate(nb)
    path.write_text(NBF.writes(nb) + "\n", encoding="utf-8")
    return path


def main(argv: list[str]) -> int:
    """Rebuild the notebooks named (by prefix) in ``argv``, or all of them."""
    # Figures inline in the notebook files, whatever the caller's environment says.
    os.environ.pop("MPLBACKEND", None)
    names = [n for n in NOTEBOOKS if not argv or any(n.startswith(a) for a in argv)]
    if not names:
        print(f"no notebook matches {argv}; known: {', '.join(NOTEBOOKS)}", file=sys.stderr)
        return 2
    for name in names:
        print("built", build(name).relative_to(HERE.parent))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
