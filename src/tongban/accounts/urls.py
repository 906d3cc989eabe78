from django.urls import path

from tongban.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("wechat/", views.wechat_start, name="wechat"),
    path("wechat/callback/", views.wechat_callback, name="wechat-callback"),
]
