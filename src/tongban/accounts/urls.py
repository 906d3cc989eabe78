from django.urls import path

from tongban.accounts import display_views, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("second-factor/", views.second_factor_view, name="second-factor"),
    path("second-factor/enrol/", views.second_factor_enrol_view, name="second-factor-enrol"),
    path("unlock/", views.unlock_view, name="unlock"),
    path("wechat/", views.wechat_start, name="wechat"),
    path("wechat/callback/", views.wechat_callback, name="wechat-callback"),
    path("large-type/", display_views.large_type, name="large-type"),
]
