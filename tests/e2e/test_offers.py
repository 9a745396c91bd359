"""Offer filters: DECLINE with refuse_seconds holds offers back until REVIVE."""
import time


def test_decline_filter_then_revive(fw):
    offer = fw.take_offer()
    fw.driver.declineOffer(offer.id, {"refuse_seconds": 30})
    count = fw.offer_count()

    # Allocation runs every second: five quiet seconds mean the filter is honoured.
    time.sleep(5)
    assert fw.offer_count() == count, "an offer arrived although it was declined for 30 s"

    fw.driver.reviveOffers()
    revived = fw.take_offer(timeout=6)
    assert revived.agent_id.value == offer.agent_id.value
    assert revived.id.value != offer.id.value
