"""Who may work on a campaign now: the rule, once (see ``crowdplatform.predicates``).

Read as a Python check on a loaded campaign (``campaigns.selectors.campaign_get_for_worker``), as a
``Q`` for the worker's list of campaigns, and as SQL in the claim that checks its campaign in the same
round trip (``results.claim_sql``). Parameters: ``now``, ``worker`` (the user; its id in SQL) and
``anonymous`` (nobody logged in, or a campaign's visitor account).
"""

from crowdplatform.predicates import Field, Flag, Member, Param

from .models import CampaignState

NOW = Param("now")
WORKER = Param("worker")
ANONYMOUS = Flag(Param("anonymous"))

_START = Field("start_at", nullable=True)
_END = Field("end_at", nullable=True)

# The campaign is running and within its dates.
OPEN_FOR_WORK = (
    Field("state").eq(CampaignState.ACTIVE)
    & Field("project.active").true()
    & (_START.is_null() | (_START <= NOW))
    & (_END.is_null() | (_END > NOW))
)
# ... and this worker may take part: logged in where that is asked, listed where the campaign or its
# project lists its workers.
MAY_WORK = (
    OPEN_FOR_WORK
    & (~Field("login_required").true() | ~ANONYMOUS)
    & (~Field("restricted").true() | Member("", WORKER))
    & (~Field("project.restricted").true() | Member("project", WORKER))
)
