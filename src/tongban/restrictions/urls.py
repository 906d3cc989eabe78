from django.urls import path

from tongban.restrictions import views

app_name = "restrictions"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/lift/", views.lift, name="lift"),
]
