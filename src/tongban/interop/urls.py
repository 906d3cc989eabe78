from django.urls import path

from tongban.interop import views

app_name = "interop"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/rotate/", views.rotate, name="rotate"),
    path("<int:pk>/revoke/", views.revoke, name="revoke"),
    path("<int:pk>/subscribe/", views.subscribe, name="subscribe"),
    path("<int:pk>/push/", views.push_target, name="push-target"),
    path("<int:pk>/subscriptions/<int:sub>/end/", views.unsubscribe, name="unsubscribe"),
    path("dead-letters/", views.dead, name="dead"),
]
