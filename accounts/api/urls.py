from crowdplatform.api.routers import OptionalSlashRouter, optional_slash

from .views import ApiTokenViewSet, GroupViewSet, LoginView, PermissionGrantViewSet, UserViewSet

router = OptionalSlashRouter()
router.include_root_view = False
router.register("tokens", ApiTokenViewSet, basename="token")
router.register("users", UserViewSet, basename="user")
router.register("groups", GroupViewSet, basename="group")
router.register("permissions", PermissionGrantViewSet, basename="permission")

urlpatterns = [
    *optional_slash("login", LoginView.as_view(), name="login"),
    *router.urls,
]
