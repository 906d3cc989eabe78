from django.urls import path

from tongban.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("bind/", views.bind, name="bind"),
    path("mine/", views.mine, name="mine"),
]
