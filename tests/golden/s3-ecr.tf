variable "s3_vpc_endpoint_id" {
  description = "ID of the s3 VPC endpoint (vpce-...)"
  type        = string
}

resource "aws_vpc_endpoint_policy" "s3" {
  vpc_endpoint_id = var.s3_vpc_endpoint_id
  policy = jsonencode({
    "Version" : "2012-10-17",
    "Statement" : [
      {
        "Sid" : "AllowTrustedAccountsToAccountResources",
        "Effect" : "Allow",
        "Principal" : "*",
        "Action" : "*",
        "Resource" : "*",
        "Condition" : {
          "StringEquals" : {
            "aws:PrincipalAccount" : [
              "111122223333",
              "444455556666"
            ],
            "aws:ResourceAccount" : [
              "111122223333",
              "444455556666"
            ]
          }
        }
      },
      {
        "Sid" : "AllowReadsOfAWSOwnedBuckets",
        "Effect" : "Allow",
        "Principal" : "*",
        "Action" : "s3:GetObject",
        "Resource" : [
          "arn:aws:s3:::al2023-repos-eu-west-1-de612dc2/*",
          "arn:aws:s3:::al2023-eu-west-1/*",
          "arn:aws:s3:::aws-ssm-eu-west-1/*",
          "arn:aws:s3:::aws-windows-downloads-eu-west-1/*",
          "arn:aws:s3:::amazon-ssm-eu-west-1/*",
          "arn:aws:s3:::amazon-ssm-packages-eu-west-1/*",
          "arn:aws:s3:::eu-west-1-birdwatcher-prod/*",
          "arn:aws:s3:::aws-ssm-document-attachments-eu-west-1/*"
        ]
      }
    ]
  })
}

variable "ecr_api_vpc_endpoint_id" {
  description = "ID of the ecr.api VPC endpoint (vpce-...)"
  type        = string
}

resource "aws_vpc_endpoint_policy" "ecr_api" {
  vpc_endpoint_id = var.ecr_api_vpc_endpoint_id
  policy = jsonencode({
    "Version" : "2012-10-17",
    "Statement" : [
      {
        "Effect" : "Allow",
        "Principal" : "*",
        "Action" : "*",
        "Resource" : "*",
        "Condition" : {
          "StringEquals" : {
            "aws:PrincipalAccount" : [
              "111122223333",
              "444455556666"
            ],
            "aws:ResourceAccount" : [
              "111122223333",
              "444455556666"
            ]
          }
        }
      }
    ]
  })
}
