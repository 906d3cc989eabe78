from django.urls import path

from tongban.loans import views

app_name = "loans"
urlpatterns = [
    path("loans/mine/", views.mine, name="mine"),
    path("workbench/loans/", views.index, name="index"),
    path("workbench/loans/<int:pk>/return/", views.take_back, name="return"),
]
