"""Read endpoints over modules built alongside this one (tasks, service items, KPIs), added
here once their models and selectors exist."""


def add_routers(api) -> None:
    return None
