"""The zone's industry clusters (产业集群) and chains (产业链), and the non-industrial kinds of project.

Four clusters over ten chains, as the plan names them, plus the kinds a project
outside the industrial chains carries in the chain field (乡村振兴, 民生 …). The
office adds its own in the config file::

    [ledger]
    chains = ["现代物流"]
    clusters = ["现代服务业"]

Chains already in the registry count as known too (see the ledger importer).
"""

from __future__ import annotations

from typing import Any, Mapping

from projects_cli.config.office import section

CLUSTERS: dict[str, tuple[str, ...]] = {
    "高端装备": ("工程机械", "汽车及零部件", "智能装备"),
    "医养健康": ("生物医药", "医疗服务业", "医疗器械"),
    "新一代信息技术": ("智能终端", "数字经济"),
    "新材料新能源": ("新材料", "新能源"),
}
OTHER_KINDS = ("乡村振兴", "基础设施", "对外贸易", "民生", "社会事业", "现代服务业", "文化旅游", "城市建设")
CHAIN_CLUSTER = {chain: cluster for cluster, chains in CLUSTERS.items() for chain in chains}


def cluster_of(chain: str | None) -> str | None:
    """The cluster a standard chain belongs to (工程机械 → 高端装备), None for others."""
    return CHAIN_CLUSTER.get(chain or "")


def fill_cluster(values: dict[str, Any]) -> dict[str, Any]:
    """`values` with the cluster of their standard chain when they give a chain and no cluster (新能源 →
    新材料新能源): `add`, `edit` and a ledger's rows fill it the same way."""
    if values.get("chain") and "cluster" not in values and (cluster := cluster_of(values["chain"])):
        values["cluster"] = cluster
    return values


def _extra(config: Mapping[str, Any] | None, key: str) -> tuple[str, ...]:
    return tuple(section(config, "ledger").get(key, []))


def known_chains(config: Mapping[str, Any] | None = None) -> tuple[str, ...]:
    """Every chain name the office uses: the standard ten, the non-industrial kinds, the config's own."""
    return (*CHAIN_CLUSTER, *OTHER_KINDS, *_extra(config, "chains"))


def known_clusters(config: Mapping[str, Any] | None = None) -> tuple[str, ...]:
    return (*CLUSTERS, *_extra(config, "clusters"))
