from accounts.roles import CUSTODIAN, FINANCE, MANAGER, SALES, TEAM_LEAD, role_names


def roles(request):
    """Role flags for the navigation bar."""
    names = role_names(request.user)
    return {
        "role": {
            "sales": SALES in names,
            "team_lead": TEAM_LEAD in names,
            "manager": MANAGER in names,
            "custodian": CUSTODIAN in names,
            "finance": FINANCE in names,
        }
    }
