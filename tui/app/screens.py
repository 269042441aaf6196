"""Which screen shows which step; the App looks steps up here so the step modules need not know each other."""

from tui.app.accounts_step import AccountsScreen
from tui.app.apply_step import ApplyScreen
from tui.app.buckets_step import BucketsScreen
from tui.app.review_step import ReviewScreen
from tui.app.services_step import ServicesScreen

SCREENS = {screen.STEP: screen for screen in (ServicesScreen, AccountsScreen, BucketsScreen, ReviewScreen, ApplyScreen)}
